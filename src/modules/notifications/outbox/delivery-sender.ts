import { Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { AppConfig } from '../../../config/app-config';
import { DestinationRefusedError, OutboundClient, OutboundTimeoutError } from '../../../platform/outbound';
import { ServerKeys, openSecret } from '../../../platform/security';
import { DeliveryKind, NotificationMessage, SendOutcome } from './delivery.types';
import { SlackDelivery } from './slack-delivery.port';

export type { SendOutcome };

export interface SendInput {
  deliveryId: string;
  orgId: string;
  unitId: string;
  kind: DeliveryKind;
  target: Record<string, unknown>;
  secretSealed: string | null;
  message: NotificationMessage;
}

/**
 * Sends one notification: webhooks and Teams through the one guarded outbound client (contracts §2), e-mail
 * through SMTP (`SMTP_URL`, contracts §5), Slack through the `SlackDelivery` port the slack module implements
 * (without it, or without the OU's Slack connection, a Slack delivery ends as a terminal failure saying so).
 */
@Injectable()
export class DeliverySender implements OnModuleDestroy {
  private mailer: Transporter | null = null;

  constructor(
    private readonly outbound: OutboundClient,
    private readonly keys: ServerKeys,
    private readonly config: AppConfig,
    @Optional() private readonly slack?: SlackDelivery,
  ) {}

  onModuleDestroy(): void {
    this.mailer?.close();
  }

  async send(input: SendInput): Promise<SendOutcome> {
    switch (input.kind) {
      case 'webhook': {
        const headers: Record<string, string> = {};
        if (input.secretSealed) headers.Authorization = openSecret(this.keys.fieldEncryptionKey, input.secretSealed);
        return this.post(String(input.target.url), input.deliveryId, headers, input.message.body);
      }
      case 'teams':
        return this.post(String(input.target.url), input.deliveryId, {}, { text: `**${input.message.title}**: ${input.message.why}` });
      case 'email':
        return this.mail(input);
      case 'slack':
        if (!this.slack) return { ok: false, retry: false, httpStatus: null, error: 'Slack is not connected for this organizational unit' };
        return this.slack.send({ orgId: input.orgId, unitId: input.unitId, deliveryId: input.deliveryId, target: input.target, message: input.message });
    }
  }

  private async post(url: string, deliveryId: string, headers: Record<string, string>, body: unknown): Promise<SendOutcome> {
    try {
      const res = await this.outbound.send({
        url,
        method: 'POST',
        // the delivery id lets a receiver drop a repeat (a worker that died after sending and before recording)
        headers: { 'Content-Type': 'application/json', 'X-Kenbun-Delivery-Id': deliveryId, ...headers },
        body: JSON.stringify(body),
      });
      if (res.status >= 200 && res.status < 300) return { ok: true, retry: false, httpStatus: res.status, error: null };
      const retry = res.status >= 500 || res.status === 408 || res.status === 429;
      return { ok: false, retry, httpStatus: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      const e = err as Error;
      if (e instanceof DestinationRefusedError) return { ok: false, retry: false, httpStatus: null, error: `destination not allowed: ${e.message}` };
      if (e instanceof OutboundTimeoutError) return { ok: false, retry: true, httpStatus: null, error: e.message };
      const cause = (e as { cause?: Error }).cause?.message;
      return { ok: false, retry: true, httpStatus: null, error: `${e.message}${cause ? `: ${cause}` : ''}`.slice(0, 500) };
    }
  }

  /** `SMTP_URL` (smtp:// = plain or STARTTLS, smtps:// = TLS), with the outbound client's time limits. */
  private transport(): Transporter {
    const url = new URL(this.config.env.SMTP_URL);
    const secure = url.protocol === 'smtps:';
    return createTransport(
      {
        host: url.hostname,
        port: url.port ? Number(url.port) : secure ? 465 : 587,
        secure,
        auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
        connectionTimeout: this.config.env.OUTBOUND_CONNECT_TIMEOUT_MS,
        socketTimeout: this.config.env.OUTBOUND_TIMEOUT_MS,
      },
      { from: this.config.env.SMTP_FROM },
    );
  }

  private async mail(input: SendInput): Promise<SendOutcome> {
    if (!this.config.env.SMTP_URL) return { ok: false, retry: false, httpStatus: null, error: 'e-mail is not configured (SMTP_URL is empty)' };
    const recipients = (input.target.recipients as string[]) ?? [];
    if (!recipients.length) return { ok: false, retry: false, httpStatus: null, error: 'no e-mail recipients' };
    this.mailer ??= this.transport();
    const prefix = input.target.subject_prefix ? `${String(input.target.subject_prefix)} ` : '';
    const { lead, event } = input.message.body;
    try {
      await this.mailer.sendMail({
        to: recipients,
        subject: `${prefix}${input.message.title}`,
        // NF-3: the message first, then the lead's details
        text: `${input.message.why}\n\n${JSON.stringify({ lead, event }, null, 2)}\n`,
        headers: { 'X-Kenbun-Delivery-Id': input.deliveryId },
      });
      return { ok: true, retry: false, httpStatus: null, error: null };
    } catch (err) {
      const e = err as Error & { responseCode?: number };
      // SMTP 5xx is permanent (bad recipient, refused), 4xx and connection problems are transient
      const permanent = e.responseCode !== undefined && e.responseCode >= 500;
      return { ok: false, retry: !permanent, httpStatus: null, error: `SMTP: ${e.message}`.slice(0, 500) };
    }
  }
}
