import { EntityManager } from 'typeorm';
import { selectRows, sql } from '../../../platform/database';
import { MilestoneRule, TriggerConfig, TriggerKind } from '../domain';

/** An active trigger as the live detection reads it. */
export interface ActiveTriggerRow {
  id: string;
  unit_id: string;
  kind: TriggerKind;
  name: string;
  event_type: string;
  event_type_key: string;
  score_threshold: number | null;
  fire_mode: 'once' | 'always';
  cooldown_seconds: number;
  config: TriggerConfig;
  created_at: Date;
  notification_channel_id: string | null;
  webhook_url: string | null;
  teams_webhook_url: string | null;
  emails: string[];
  email_subject: string | null;
  email_message: string | null;
  notify_owner: boolean;
  /** derived once per load, not per event: `created_at` in ms, and a milestone's rule */
  created_ms: number;
  milestone_rule: MilestoneRule | null;
}

/** What the detection needs of one OU: the primary engagement ruleset (whose score milestones watch) and the active triggers. */
export interface UnitTriggerSetup {
  primaryRulesetId: string | null;
  triggers: ActiveTriggerRow[];
  /** every trigger of the OU, paused ones included: a lead's memory of any other trigger (deleted) is dropped */
  knownIds: Set<string>;
  /** per event type key, the active triggers an event of it may step (every milestone; the sequences and patterns listing it), in id order */
  byType: Map<string, ActiveTriggerRow[]>;
}

/** The active triggers an event of type `typeKey` may step: milestones watch every event, windowed triggers the types they list. */
export function triggersFor(setup: UnitTriggerSetup, typeKey: string): ActiveTriggerRow[] {
  let list = setup.byType.get(typeKey);
  if (!list) {
    list = setup.triggers.filter((t) =>
      t.kind === 'milestone'
        ? true
        : t.kind === 'sequence'
          ? !!t.config.event_type_keys?.includes(typeKey)
          : !!t.config.conditions?.some((c) => c.event_type_key === typeKey),
    );
    setup.byType.set(typeKey, list);
  }
  return list;
}

const MAX_CACHED = 10_000;

/**
 * Active triggers and the primary ruleset per OU, kept per process with the counters `trigger_setup_version` and
 * `scoring_setup_version` seen just before reading them (both are moved by every write of their tables), so a batch
 * whose OUs did not change costs one one-row read.
 */
export class TriggerSetupCache {
  private readonly cache = new Map<string, { version: string; setup: UnitTriggerSetup }>();

  async load(m: EntityManager, unitIds: string[]): Promise<Map<string, UnitTriggerSetup>> {
    const [{ version }] = await m.query(
      `SELECT (SELECT version FROM trigger_setup_version)::text || ':' || (SELECT version FROM scoring_setup_version)::text AS version`,
    );
    const out = new Map<string, UnitTriggerSetup>();
    const missing: string[] = [];
    for (const u of unitIds) {
      const hit = this.cache.get(u);
      if (hit && hit.version === version) out.set(u, hit.setup);
      else missing.push(u);
    }
    if (!missing.length) return out;
    const primaries = await selectRows<{ unit_id: string; id: string }>(
      m,
      sql`SELECT unit_id, id FROM rulesets WHERE unit_id = ANY(${missing}::text[]) AND dimension = 'engagement' AND is_primary`,
    );
    const rows = await selectRows<Omit<ActiveTriggerRow, 'created_ms' | 'milestone_rule'> & { active: boolean }>(
      m,
      sql`SELECT id, unit_id, kind, name, event_type, event_type_key, score_threshold, fire_mode, cooldown_seconds, config, created_at,
                 notification_channel_id, webhook_url, teams_webhook_url, emails, email_subject, email_message, notify_owner, active
            FROM triggers WHERE unit_id = ANY(${missing}::text[]) ORDER BY id`,
    );
    const triggers: ActiveTriggerRow[] = rows
      .filter((t) => t.active)
      .map(({ active: _active, ...t }) => ({
        ...t,
        created_ms: new Date(t.created_at).getTime(),
        milestone_rule:
          t.kind === 'milestone' && t.score_threshold !== null
            ? { threshold: t.score_threshold, eventTypeKey: t.event_type_key, fireMode: t.fire_mode, cooldownMs: t.cooldown_seconds * 1000 }
            : null,
      }));
    if (this.cache.size + missing.length > MAX_CACHED) this.cache.clear();
    for (const u of missing) {
      const setup: UnitTriggerSetup = {
        primaryRulesetId: primaries.find((p) => p.unit_id === u)?.id ?? null,
        triggers: triggers.filter((t) => t.unit_id === u),
        knownIds: new Set(rows.filter((t) => t.unit_id === u).map((t) => t.id)),
        byType: new Map(),
      };
      this.cache.set(u, { version, setup });
      out.set(u, setup);
    }
    return out;
  }
}
