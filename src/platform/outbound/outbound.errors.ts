import { defineErrors } from '../http/error-catalog';

/** contracts §2: a destination the outbound guard refuses. */
export const OutboundErrors = defineErrors('outbound', { destination_not_allowed: 400 });

/** Thrown at send time (connect, redirect) when the guard refuses the destination; a delivery records it as terminal. */
export class DestinationRefusedError extends Error {
  override readonly name = 'DestinationRefusedError';
}

/** The request did not finish within its connect or total time limit. */
export class OutboundTimeoutError extends Error {
  override readonly name = 'OutboundTimeoutError';
}
