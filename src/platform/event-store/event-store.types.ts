/** Who caused an event and in which tenant; stored with every event. */
export interface EventMetadata {
  org_id?: string | null;
  unit_id?: string | null;
  actor?: string | null;
  correlation_id?: string | null;
  causation_id?: string | null;
  [key: string]: unknown;
}

export interface NewEvent<P = unknown> {
  /** Client-chosen id; resending the same id makes the append idempotent. Generated when absent. */
  eventId?: string;
  type: string;
  payload: P;
  /** Merged over the append's metadata. */
  metadata?: EventMetadata;
  occurredAt?: Date;
}

export interface StoredEvent<P = any> {
  globalPosition: number;
  transactionId: string;
  eventId: string;
  streamId: string;
  streamType: string;
  streamVersion: number;
  eventType: string;
  payload: P;
  metadata: EventMetadata;
  occurredAt: Date;
  recordedAt: Date;
}

/** `'any'` skips the check; `'no_stream'` requires a new stream; a number is the version the stream must be at. */
export type ExpectedVersion = number | 'any' | 'no_stream';

export interface StreamAppend {
  streamId: string;
  streamType: string;
  expectedVersion: ExpectedVersion;
  events: NewEvent[];
  metadata?: EventMetadata;
}

export interface AppendResult {
  streamId: string;
  /** Version of the stream after the append. */
  version: number;
  /** Global positions of the appended events, in order. */
  positions: number[];
  /** True when every event id of this stream's append was already stored: nothing was written to it. */
  duplicate: boolean;
}

/** Position in commit-safe global order: (transaction id, global position). */
export interface Checkpoint {
  transactionId: string;
  position: number;
}

export const START: Checkpoint = { transactionId: '0', position: 0 };

export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual?: number,
  ) {
    super(`stream ${streamId} is at version ${actual ?? 'unknown'}, expected ${String(expected)}`);
    this.name = 'ConcurrencyError';
  }
}

/** An event id is already stored elsewhere, or an append mixed stored and new events. */
export class EventIdConflictError extends Error {
  constructor(
    readonly eventId: string,
    readonly storedIn: string,
    readonly appendedTo: string,
  ) {
    super(
      storedIn === appendedTo
        ? `append to ${appendedTo} mixes already-stored event ${eventId} with new events; resend the original append unchanged`
        : `event id ${eventId} is already stored in stream ${storedIn}; it cannot be appended to ${appendedTo}`,
    );
    this.name = 'EventIdConflictError';
  }
}
