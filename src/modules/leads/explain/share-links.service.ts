import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { RequestContext } from '../../../platform/tenancy';
import { ScoreReader } from '../../scoring';
import { LeadExplainService } from './lead-explain.service';
import { SharedExplanationDto, ShareLinkDto } from './lead-explain.dto';
import { LeadErrors } from '../leads.errors';

export const SHARE_TTL_MS = 7 * 24 * 3_600_000;
export const SHARE_RANGE_HOURS = 24;
/** EXP-8: where the web app renders a shared explanation. */
export const SHARE_URL_BASE = 'https://app.kenbun.io/share/explain/';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A display name for a public page: never an email or other alias. */
export function leadName(leadId: string, metadata: Record<string, unknown> | null): string {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const md = metadata ?? {};
  const full = [str(md.first_name), str(md.last_name)].filter(Boolean).join(' ');
  return str(md.name) ?? (full || leadId);
}

/**
 * EXP-8/9: read-only links to a lead's score explanation. The token carries 256 random bits; only its SHA-256
 * is stored, with the explanation as it was at creation (point-in-time content).
 */
@Injectable()
export class ShareLinksService {
  constructor(
    private readonly ds: DataSource,
    private readonly reader: ScoreReader,
    private readonly explain: LeadExplainService,
    private readonly clock: Clock,
  ) {}

  async create(leadId: string): Promise<ShareLinkDto> {
    const lead = await this.reader.lead(leadId);
    const now = this.clock.now();
    const [row] = await this.ds.query(`SELECT metadata FROM leads WHERE id = $1`, [lead.id]);
    const x = await this.explain.explain(lead, SHARE_RANGE_HOURS, now);
    const expires = new Date(now.getTime() + SHARE_TTL_MS);
    const content: SharedExplanationDto = {
      lead_name: leadName(lead.lead_id, row?.metadata ?? null),
      score: x.score,
      top_drivers: x.top_drivers,
      snapshot: x.snapshot,
      decay_applied: x.decay_applied,
      range_hours: x.range_hours,
      generated_at: now.toISOString(),
      expires_at: expires.toISOString(),
    };
    const token = `sxp_${randomBytes(32).toString('base64url')}`;
    await this.ds.query(
      `INSERT INTO share_links (token_hash, org_id, unit_id, lead_ref, lead_id, content, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [hashToken(token), lead.org_id, lead.unit_id, lead.id, lead.lead_id, JSON.stringify(content), RequestContext.eventMetadata().actor ?? null, now, expires],
    );
    RequestContext.describe({
      verb: 'created',
      entityType: 'lead',
      entityId: lead.lead_id,
      summary: `created a 7-day share link to the score explanation of lead ${lead.lead_id}`,
    });
    return { token, expires_at: expires.toISOString(), share_url: `${SHARE_URL_BASE}${token}` };
  }

  /** No credential: 404 for a token never issued, 410 once expired. */
  async read(token: string): Promise<SharedExplanationDto> {
    if (!/^sxp_[A-Za-z0-9_-]{20,100}$/.test(token)) throw LeadErrors.notFound('share_link_not_found', 'share link');
    const [row] = await this.ds.query(`SELECT content, expires_at FROM share_links WHERE token_hash = $1`, [hashToken(token)]);
    if (!row) throw LeadErrors.notFound('share_link_not_found', 'share link');
    if (new Date(row.expires_at).getTime() <= this.clock.now().getTime()) throw LeadErrors.error('share_link_expired', 'this share link has expired');
    return row.content;
  }
}
