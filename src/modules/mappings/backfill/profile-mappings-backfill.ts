import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Job } from 'bull';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { QueueName } from '../../../platform/queues';
import { unitOnly } from '../../../platform/tenancy';
import { ChangeLeadsMetadataCommand } from '../../leads';
import { UnitMappingsCache } from '../application/unit-mappings.cache';
import { Metadata } from '../../scoring';
import { backfillFieldMappings } from '../domain';
import { BackfillProfileMappingsResultDto } from '../http/mappings.dto';
import { BackfillJobData, BackfillJobs } from './backfill-jobs';

export const BACKFILL_PROFILE_MAPPINGS = 'mappings.backfill-profile';
BackfillJobs.register(BACKFILL_PROFILE_MAPPINGS, 'profile_mappings');
/** Leads per transaction. */
const CHUNK = 500;

/**
 * ADM-3 on the worker: every live lead of the OU, by chunks of CHUNK leads in id order, gets its profile mappings
 * re-derived from its recorded events' metadata (oldest first; metadata-filtered and system events excluded) with
 * `backfillFieldMappings`, honouring each mapping's update behaviour; a lead whose metadata differs gets one silent
 * LeadMetadataChanged (cause `profile_mapping_backfill`), decided under the lead's lock from its current metadata.
 * Derived, not accumulated: a second run updates no lead.
 */
@Processor(QueueName.Maintenance)
export class ProfileMappingsBackfillProcessor {
  private readonly log = new Logger('ProfileMappingsBackfill');

  constructor(
    private readonly ds: DataSource,
    private readonly commands: CommandBus,
    private readonly cache: UnitMappingsCache,
    private readonly clock: Clock,
  ) {}

  @Process({ name: BACKFILL_PROFILE_MAPPINGS, concurrency: 1 })
  async run(job: Job<BackfillJobData>): Promise<BackfillProfileMappingsResultDto> {
    const { org_id, unit_id, actor, correlation_id } = job.data;
    const { profile } = await this.cache.load(org_id, unit_id, this.ds.manager);
    const { n: total } = (await selectOne<{ n: number }>(
      this.ds,
      sql`SELECT count(*)::int AS n FROM leads WHERE ${unitOnly(undefined, unit_id)} AND status = 'active'`,
    ))!;
    let after = '';
    let processed = 0;
    let updated = 0;
    for (;;) {
      const refs = (
        await selectRows<{ id: string }>(
          this.ds,
          sql`SELECT id FROM leads WHERE ${unitOnly(undefined, unit_id)} AND status = 'active' AND id > ${after} ORDER BY id LIMIT ${CHUNK}`,
        )
      ).map((r) => r.id);
      if (!refs.length) break;
      after = refs[refs.length - 1];
      processed += refs.length;
      if (profile.length) {
        const history = new Map<string, Metadata[]>();
        const rows = await selectRows<{ lead_ref: string; metadata: Metadata }>(
          this.ds,
          sql`SELECT lead_ref, metadata FROM lead_events
               WHERE lead_ref = ANY(${refs}::text[]) AND source <> 'system' AND filter_id IS NULL
               ORDER BY lead_ref, occurred_at, event_id`,
        );
        for (const r of rows) history.set(r.lead_ref, [...(history.get(r.lead_ref) ?? []), r.metadata]);
        const withEvents = refs.filter((r) => history.has(r));
        if (withEvents.length) {
          const { changed, too_large } = await this.commands.execute(
            new ChangeLeadsMetadataCommand(
              withEvents,
              (ref, metadata) => {
                const set = backfillFieldMappings(profile, history.get(ref) ?? [], metadata);
                return Object.keys(set).length ? { set, removed: [], replace: false, silent: true, cause: 'profile_mapping_backfill' } : null;
              },
              { org_id, unit_id, actor, correlation_id },
              this.clock.now(),
            ),
          );
          updated += changed.length;
          if (too_large.length)
            this.log.warn({ msg: 'profile mappings left out: lead metadata would exceed its size bound', unit_id, leads: too_large.length });
        }
      }
      await job.progress(total ? Math.min(100, Math.floor((processed / total) * 100)) : 100);
      this.log.log({ msg: 'profile mapping backfill progress', unit_id, processed, total, updated });
    }
    await job.progress(100);
    return { leads_processed: processed, leads_updated: updated };
  }
}
