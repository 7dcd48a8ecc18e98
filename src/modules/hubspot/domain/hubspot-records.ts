/**
 * HubSpot CRM v3 records (contracts §4) as kenbun takes them in (HS-1, HS-7, DEAL-4). Pure: the sync runner and
 * its unit tests call these.
 */

/** HS-1: the engagement object types that can be synced. */
export const ENGAGEMENT_TYPES = ['emails', 'calls', 'meetings', 'notes', 'tasks'] as const;
export type EngagementType = (typeof ENGAGEMENT_TYPES)[number];

/** The kenbun event type an engagement of a type becomes on its contact's lead. */
export const ENGAGEMENT_EVENT_TYPE: Record<EngagementType, string> = {
  emails: 'hubspot_email',
  calls: 'hubspot_call',
  meetings: 'hubspot_meeting',
  notes: 'hubspot_note',
  tasks: 'hubspot_task',
};

/** Properties asked for per object type (HubSpot answers only the default ones otherwise). */
export const OBJECT_PROPERTIES = {
  contacts: ['email', 'firstname', 'lastname', 'jobtitle', 'company', 'phone', 'lifecyclestage', 'hs_lead_status', 'lastmodifieddate'],
  companies: ['name', 'domain', 'industry', 'numberofemployees', 'annualrevenue', 'country', 'city', 'hs_lastmodifieddate'],
  deals: ['dealname', 'dealstage', 'pipeline', 'amount', 'closedate', 'hs_is_closed', 'hs_is_closed_won', 'hs_lastmodifieddate'],
  emails: ['hs_timestamp', 'hs_email_subject', 'hs_email_direction', 'hs_email_status'],
  calls: ['hs_timestamp', 'hs_call_title', 'hs_call_direction', 'hs_call_duration', 'hs_call_disposition'],
  meetings: ['hs_timestamp', 'hs_meeting_title', 'hs_meeting_outcome', 'hs_meeting_start_time'],
  notes: ['hs_timestamp'],
  tasks: ['hs_timestamp', 'hs_task_subject', 'hs_task_status', 'hs_task_type'],
} as const satisfies Record<string, readonly string[]>;

/** One CRM v3 object as HubSpot answers it. */
export interface CrmObject {
  id: string;
  properties: Record<string, string | null | undefined>;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
  /** when HubSpot archived (deleted) it: in `archived=true` listings */
  archivedAt?: string;
  associations?: Record<string, { results?: { id: string; type?: string }[] }>;
}

/** A page of objects: `paging.next.after` is the cursor of the next page (absent on the last). */
export interface CrmPage {
  results: CrmObject[];
  paging?: { next?: { after?: string } };
}

export interface CrmPipeline {
  id: string;
  label: string;
  displayOrder?: number;
  stages: { id: string; label: string; displayOrder?: number; metadata?: Record<string, string | undefined> }[];
}

/** `deal_pipelines.stages` entries (migration 1764000000250). */
export interface PipelineStage {
  id: string;
  label: string;
  display_order: number;
  is_closed: boolean;
  probability: number | null;
}

export function pipelineStages(p: CrmPipeline): PipelineStage[] {
  return [...(p.stages ?? [])]
    .sort((a, b) => (a.displayOrder ?? 0) - (b.displayOrder ?? 0))
    .map((s) => {
      const probability = s.metadata?.probability !== undefined && s.metadata.probability !== '' ? Number(s.metadata.probability) : NaN;
      return {
        id: s.id,
        label: s.label,
        display_order: s.displayOrder ?? 0,
        is_closed: s.metadata?.isClosed === 'true',
        probability: Number.isFinite(probability) ? probability : null,
      };
    });
}

/** The external-id alias a synced contact's lead carries, by which its engagements find it. */
export const contactAlias = (contactId: string): string => `hubspot:${contactId}`;

/** The properties of an object that hold a value (null, absent and blank ones dropped). */
export function presentProperties(o: CrmObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.properties ?? {})) if (typeof v === 'string' && v.trim() !== '') out[k] = v;
  return out;
}

/** When an object last changed (HubSpot's `updatedAt`, else its last-modified property); null when unknown. */
export function modifiedAt(o: CrmObject): Date | null {
  const raw = o.updatedAt ?? o.properties?.hs_lastmodifieddate ?? o.properties?.lastmodifieddate ?? null;
  const t = raw ? Date.parse(raw) : NaN;
  return Number.isFinite(t) ? new Date(t) : null;
}

/** Incremental sync: an object changed at or after `since` (null: every object; unknown change time: taken). */
export function changedSince(o: CrmObject, since: Date | null): boolean {
  if (!since) return true;
  const at = modifiedAt(o);
  return !at || at.getTime() >= since.getTime();
}

/** Incremental sync: an archived object archived at or after `since` (null: every one; unknown time: taken). */
export function archivedSince(o: CrmObject, since: Date | null): boolean {
  if (!since) return true;
  const raw = o.archivedAt ?? o.updatedAt ?? null;
  const t = raw ? Date.parse(raw) : NaN;
  return !Number.isFinite(t) || t >= since.getTime();
}

/** The ids of the objects of a type an object is associated with. */
export function associatedIds(o: CrmObject, type: string): string[] {
  const results = o.associations?.[type]?.results ?? [];
  return [...new Set(results.map((r) => String(r.id)))];
}

/** The domain of a company, lower-cased, without scheme, `www.` or path; null when it is none. */
export function companyDomain(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const d = raw
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[/?#].*$/, '');
  return /^[a-z0-9.-]+\.[a-z]{2,}$/.test(d) ? d : null;
}

/** A deal as a `deals` row (DEAL-4): name, stage, amount, closing time, and the attributes deal rulesets score. */
export interface DealRecord {
  external_id: string;
  name: string;
  stage: string | null;
  amount: number | null;
  closed_at: string | null;
  company_ids: string[];
  /** stage, amount, pipeline and the other properties (what deal rules test) */
  properties: Record<string, unknown>;
}

export function dealRecord(o: CrmObject): DealRecord {
  const p = presentProperties(o);
  const amount = p.amount !== undefined ? Number(p.amount) : NaN;
  const closed = p.hs_is_closed === 'true' && p.closedate ? Date.parse(p.closedate) : NaN;
  const properties: Record<string, unknown> = { ...p, stage: p.dealstage ?? null, pipeline: p.pipeline ?? null };
  if (Number.isFinite(amount)) properties.amount = amount;
  return {
    external_id: o.id,
    name: p.dealname ?? `HubSpot deal ${o.id}`,
    stage: p.dealstage ?? null,
    amount: Number.isFinite(amount) ? amount : null,
    closed_at: Number.isFinite(closed) ? new Date(closed).toISOString() : null,
    company_ids: associatedIds(o, 'companies'),
    properties,
  };
}

/** An engagement as the event its contact's lead records: type, HubSpot time, metadata. */
export interface EngagementEvent {
  /** stable per engagement and contact: the client event id, so a re-run is recognised */
  client_event_id: string;
  contact_id: string;
  event_type: string;
  occurred_at: string;
  metadata: Record<string, unknown>;
}

export function engagementEvents(type: EngagementType, o: CrmObject): EngagementEvent[] {
  const p = presentProperties(o);
  const when = Date.parse(p.hs_timestamp ?? o.createdAt ?? '');
  if (!Number.isFinite(when)) return [];
  const metadata: Record<string, unknown> = { source: 'hubspot', hubspot_engagement_id: o.id, hubspot_engagement_type: type };
  for (const [k, v] of Object.entries(p)) if (k !== 'hs_timestamp') metadata[k] = v;
  return associatedIds(o, 'contacts').map((contactId) => ({
    client_event_id: `hubspot:${type}:${o.id}:${contactId}`,
    contact_id: contactId,
    event_type: ENGAGEMENT_EVENT_TYPE[type],
    occurred_at: new Date(when).toISOString(),
    metadata,
  }));
}
