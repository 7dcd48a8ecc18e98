import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { StoredEvent } from '../../../platform/event-store';
import { Projection, ReadModelProjection } from '../../../platform/projections';
import { DeliveryOutbox } from '../../notifications';
import { RulesetCreatedPayload, RulesetEvents, RulesetUpdatedPayload } from '../../rulesets';

interface RulesetRow {
  org_id: string;
  unit_id: string;
  name: string;
  dimension: string;
  rule_count: number;
}

interface TargetRow {
  default_target_kind: 'channel' | 'user' | null;
  default_target_id: string;
}

/**
 * "Published" (RS-7, §31 item 12, our reading): a ruleset created already primary and active, or a RulesetUpdated
 * whose change makes it primary or active.
 */
export function isPublish(e: Pick<StoredEvent, 'eventType' | 'payload'>): boolean {
  if (e.eventType === RulesetEvents.Created) {
    const p = e.payload as RulesetCreatedPayload;
    return p.is_primary && p.active;
  }
  if (e.eventType === RulesetEvents.Updated) {
    const c = (e.payload as RulesetUpdatedPayload).changes ?? {};
    return c.is_primary === true || c.active === true;
  }
  return false;
}

/**
 * Slack "ruleset published" posts (SL-5, RS-7): each publish event is recorded once in `ruleset_publish_posts`
 * (event id; events the migration found already stored are marked as seen, so enabling this never posts history),
 * and when the OU opted in (`slack_connections.publish_notifications`) and has a default target (SL-4), one post is
 * queued through the delivery outbox in the same transaction: the ruleset's name, dimension and rule count (as the
 * read model holds them when the event is handled), who published it and when.
 *
 * The table is a ledger, not a derived view: a rebuild keeps its rows (a replay then finds every event already
 * seen and posts nothing again).
 */
@ReadModelProjection()
@Injectable()
export class RulesetPublishPostsProjection implements Projection {
  readonly name = 'slack_ruleset_publish_posts';
  readonly eventTypes: string[] = [RulesetEvents.Created, RulesetEvents.Updated];
  readonly tables = ['ruleset_publish_posts'];
  readonly keptOnRebuild = { ruleset_publish_posts: 'true' };

  constructor(private readonly outbox: DeliveryOutbox) {}

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    for (const e of events) {
      if (e.streamType === 'ruleset' && isPublish(e)) await this.publish(m, e);
    }
  }

  private async publish(m: EntityManager, e: StoredEvent): Promise<void> {
    const ruleset = await selectOne<RulesetRow>(
      m,
      sql`SELECT r.org_id, r.unit_id, r.name, r.dimension, (SELECT count(*) FROM rules x WHERE x.ruleset_id = r.id)::int AS rule_count
            FROM rulesets r WHERE r.id = ${e.streamId}`,
    );
    const [seen] = await selectRows<{ event_id: string }>(
      m,
      sql`INSERT INTO ruleset_publish_posts (event_id, org_id, unit_id, ruleset_id)
          VALUES (${e.eventId}, ${ruleset?.org_id ?? e.metadata.org_id ?? null}, ${ruleset?.unit_id ?? e.metadata.unit_id ?? null}, ${e.streamId})
          ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
    );
    // seen before (a replay, or history the migration marked), or the ruleset is gone since
    if (!seen || !ruleset) return;
    const target = await selectOne<TargetRow>(
      m,
      sql`SELECT default_target_kind, default_target_id FROM slack_connections
           WHERE unit_id = ${ruleset.unit_id} AND org_id = ${ruleset.org_id} AND publish_notifications AND default_target_id IS NOT NULL`,
    );
    if (!target) return;
    const p = e.payload as RulesetCreatedPayload | RulesetUpdatedPayload;
    const by = ('by' in p && p.by) || e.metadata.actor || 'unknown';
    const at = p.at ?? e.occurredAt.toISOString();
    const rules = `${ruleset.rule_count} rule${ruleset.rule_count === 1 ? '' : 's'}`;
    const why = `${ruleset.dimension} ruleset, ${rules}; published by ${by} at ${at}`;
    const [deliveryId] = await this.outbox.enqueue(m, {
      org_id: ruleset.org_id,
      unit_id: ruleset.unit_id,
      trigger_type: 'ruleset',
      trigger_id: e.streamId,
      source_id: e.eventId,
      destinations: [{ kind: 'slack', target: target.default_target_kind ?? 'channel', id: target.default_target_id }],
      message: {
        title: `Ruleset published: ${ruleset.name}`,
        why,
        body: {
          type: 'ruleset_published',
          ruleset: { id: e.streamId, name: ruleset.name, dimension: ruleset.dimension, rule_count: ruleset.rule_count },
          published_by: by,
          published_at: at,
        },
      },
      at: e.recordedAt,
    });
    if (deliveryId) await m.query(`UPDATE ruleset_publish_posts SET delivery_id = $2 WHERE event_id = $1`, [e.eventId, deliveryId]);
  }
}
