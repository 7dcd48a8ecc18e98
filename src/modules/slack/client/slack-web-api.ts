import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { DestinationRefusedError, OutboundClient, OutboundTimeoutError } from '../../../platform/outbound';

/** Slack answers: `{ok:true, …}` or `{ok:false, error}`; the HTTP status is kept for the NF-2 classes (429, 5xx). */
export type SlackAnswer = { ok: boolean; error?: string; [key: string]: unknown };

export interface SlackCallResult {
  /** null when Slack was not reached (network, timeout, refused by the guard) */
  httpStatus: number | null;
  answer: SlackAnswer;
}

/** Slack's answers can be large (users.list with profiles): read up to 8 MiB of them. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/**
 * Slack's Web API over plain HTTP (contracts §3) at `SLACK_API_BASE_URL`, through THE outbound client (contracts §2):
 * form-encoded POSTs, `Authorization: Bearer <token>` when a token is given. Never throws for a Slack answer:
 * network trouble, time-outs and refused destinations come back as `{ok:false, error}` with `httpStatus: null`.
 */
@Injectable()
export class SlackWebApi {
  constructor(
    private readonly outbound: OutboundClient,
    private readonly config: AppConfig,
  ) {}

  async call(method: string, params: Record<string, string | number | boolean | undefined>, token?: string): Promise<SlackCallResult> {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') form.set(k, String(v));
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const url = `${this.config.env.SLACK_API_BASE_URL.replace(/\/+$/, '')}/${method}`;
    try {
      const res = await this.outbound.send({ url, method: 'POST', headers, body: form.toString(), maxBodyBytes: MAX_ANSWER_BYTES });
      let answer: SlackAnswer;
      try {
        answer = JSON.parse(res.body) as SlackAnswer;
      } catch {
        answer = { ok: false, error: res.status === 200 ? 'invalid_response' : `http_${res.status}` };
      }
      if (res.status !== 200 && answer.ok) answer = { ...answer, ok: false, error: `http_${res.status}` };
      if (typeof answer !== 'object' || answer === null) answer = { ok: false, error: 'invalid_response' };
      return { httpStatus: res.status, answer };
    } catch (err) {
      const e = err as Error;
      const kind = e instanceof DestinationRefusedError ? 'destination_not_allowed' : e instanceof OutboundTimeoutError ? 'timeout' : 'network_error';
      const cause = (e as { cause?: Error }).cause?.message;
      return { httpStatus: null, answer: { ok: false, error: kind, detail: `${e.message}${cause ? `: ${cause}` : ''}`.slice(0, 300) } };
    }
  }
}
