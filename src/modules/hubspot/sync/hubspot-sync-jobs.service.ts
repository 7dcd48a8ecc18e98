import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { PlatformErrors } from '../../../platform/http';
import { QueueName } from '../../../platform/queues';
import { JobContext, JobSummary, ScheduledJob } from '../../../platform/scheduling';
import { RequestContext, currentUnit } from '../../../platform/tenancy';
import { HubSpotConnections } from '../connection/hubspot-connections.service';
import { EngagementType } from '../domain';
import { HubSpotErrors } from '../hubspot.errors';
import { HUBSPOT_SYNC_ATTEMPTS, HubSpotSyncJobData, RUN_HUBSPOT_SYNC } from './hubspot-sync.processor';
import { CRM_PHASES, SyncPhase } from './hubspot-sync.runner';

export interface BackfillRequest {
  include_contacts?: boolean;
  include_engagement_history?: boolean;
  engagement_types?: EngagementType[];
  force?: boolean;
}

const QUIET: JobContext = { progress: () => undefined, trigger: 'manual' };

/**
 * Queues HubSpot sync runs: the historical import an OU asks for (HS-2) and, every 15 minutes, the incremental sync of
 * every connected OU (`hubspot.sync`: what changed since `last_sync_at`). A run is a `hubspot_sync_runs` row and one
 * Bull job of the `hubspot-sync` queue.
 */
@Injectable()
export class HubSpotSyncJobs {
  private readonly log = new Logger('HubSpotSync');

  constructor(
    private readonly ds: DataSource,
    private readonly connections: HubSpotConnections,
    private readonly clock: Clock,
    @InjectQueue(QueueName.HubSpotSync) private readonly queue: Queue,
  ) {}

  /**
   * HS-2: no body (or include_contacts omitted) imports contacts; contacts come with the deal pipelines, companies and
   * deals (HS-7). Engagement history: the given types, else the OU's preferences (HS-1); skipped when it was imported
   * already unless `force`.
   */
  async backfill(body: BackfillRequest): Promise<{ status: 'queued'; message: string; queued: string[] }> {
    const { orgId, unitId } = currentUnit();
    const row = await this.connections.find(unitId);
    if (row?.status !== 'connected') {
      throw HubSpotErrors.error(
        'hubspot_connection_not_found',
        row?.status === 'broken'
          ? 'the HubSpot connection is broken (HubSpot revoked its access): connect HubSpot again'
          : 'this organizational unit is not connected to HubSpot: connect it first',
      );
    }
    const phases: SyncPhase[] = [];
    const queued: string[] = [];
    if (body.include_contacts ?? true) {
      phases.push(...CRM_PHASES);
      queued.push('contacts', 'companies', 'deals');
    }
    if (body.include_engagement_history && (body.force || !row.engagement_history_synced)) {
      const types = [...new Set(body.engagement_types ?? row.engagement_types)];
      phases.push(...types);
      queued.push(...types.map((t) => `engagements:${t}`));
    }
    if (!phases.length) return { status: 'queued', message: 'Nothing to import', queued: [] };
    const id = await this.enqueue(orgId, unitId, 'backfill', phases, null, RequestContext.actor());
    RequestContext.describe({
      verb: 'import',
      entityType: 'hubspot_sync_run',
      entityId: id,
      summary: `started a HubSpot historical import (${queued.join(', ')})`,
    });
    return { status: 'queued', message: 'Historical import started', queued };
  }

  private async enqueue(
    orgId: string,
    unitId: string,
    kind: 'backfill' | 'incremental',
    phases: SyncPhase[],
    since: Date | null,
    by: string | null,
  ): Promise<string> {
    const id = `hsrun_${randomBytes(12).toString('hex')}`;
    await this.ds.query(
      `INSERT INTO hubspot_sync_runs (id, org_id, unit_id, kind, phases, since, created_by, created_at) VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8)`,
      [id, orgId, unitId, kind, phases, since?.toISOString() ?? null, by, this.clock.now().toISOString()],
    );
    try {
      await this.queue.add(RUN_HUBSPOT_SYNC, { run_id: id, unit_id: unitId } satisfies HubSpotSyncJobData, {
        jobId: id,
        attempts: HUBSPOT_SYNC_ATTEMPTS,
        backoff: { type: 'exponential', delay: 30_000 },
        removeOnComplete: 100,
      });
    } catch (err) {
      await this.ds.query(`DELETE FROM hubspot_sync_runs WHERE id = $1`, [id]);
      throw PlatformErrors.error('queue_unavailable', `the HubSpot sync could not be queued: ${(err as Error).message}`);
    }
    return id;
  }

  /**
   * Every 15 minutes: an incremental run for every connected OU that has synced before and has no run queued or
   * running: pipelines, then companies, contacts, deals and the OU's engagement types changed since `last_sync_at`.
   */
  @ScheduledJob({ name: 'hubspot.sync', cron: '*/15 * * * *' })
  async incremental(ctx: JobContext = QUIET): Promise<JobSummary> {
    const units: { org_id: string; unit_id: string; last_sync_at: Date; engagement_types: EngagementType[] }[] = await this.ds.query(
      `SELECT c.org_id, c.unit_id, c.last_sync_at, c.engagement_types FROM hubspot_connections c
        WHERE c.status = 'connected' AND c.last_sync_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM hubspot_sync_runs r WHERE r.unit_id = c.unit_id AND r.status IN ('queued', 'running'))
        ORDER BY c.unit_id`,
    );
    ctx.progress(0, units.length);
    let queued = 0;
    for (const u of units) {
      await this.enqueue(u.org_id, u.unit_id, 'incremental', [...CRM_PHASES, ...u.engagement_types], new Date(u.last_sync_at), null);
      ctx.progress(++queued, units.length);
    }
    this.log.log({ msg: 'HubSpot incremental syncs queued', units: queued });
    return { units_queued: queued };
  }
}
