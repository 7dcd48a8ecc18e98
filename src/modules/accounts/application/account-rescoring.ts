import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import type { Job } from 'bull';
import { DataSource } from 'typeorm';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { QueueName } from '../../../platform/queues';
import { ACCOUNT_REEVALUATE_UNIT, AttributeRulesChanged, ProfileJobData, ProfileScoring } from '../../scoring';
import { AccountFigures } from './account-figures';
import { AccountScoring } from './account-scoring';

/** Accounts per transaction of an OU-wide re-evaluation. */
const CHUNK = 1000;

/** An account ruleset or rule changed: every account of the OU is re-evaluated on the worker (ABM-3). */
@EventsHandler(AttributeRulesChanged)
export class AccountRulesChangedHandler implements IEventHandler<AttributeRulesChanged> {
  private readonly log = new Logger('AccountScoring');

  constructor(private readonly profiles: ProfileScoring) {}

  async handle(e: AttributeRulesChanged): Promise<void> {
    if (e.dimension !== 'account') return;
    await this.profiles
      .queueAccounts({ org_id: e.orgId, unit_id: e.unitId, ruleset_id: e.rulesetId, cause: 'rules_changed', actor: e.actor })
      .catch((err: Error) => this.log.error({ msg: 'could not queue account re-evaluation', unit_id: e.unitId, err: err.message }));
  }
}

/**
 * `account.reevaluate-unit` (rescore queue): every live account of the OU against its current account rules, chunk
 * by chunk (score, level, hard-DQ of its leads; the figures of accounts whose leads' qualification moved), progress
 * reported; answers the counts (GET /scoring/jobs/{jobId}).
 */
@Processor(QueueName.Rescore)
export class AccountRescoreProcessor {
  private readonly log = new Logger('AccountScoring');

  constructor(
    private readonly ds: DataSource,
    private readonly scoring: AccountScoring,
    private readonly figures: AccountFigures,
  ) {}

  @Process({ name: ACCOUNT_REEVALUATE_UNIT, concurrency: 1 })
  async reevaluate(job: Job<ProfileJobData>) {
    const { org_id, unit_id } = job.data;
    const { n: total } = (await selectOne<{ n: number }>(
      this.ds,
      sql`SELECT count(*)::int AS n FROM accounts WHERE unit_id = ${unit_id} AND archived_at IS NULL`,
    ))!;
    const sum = { accounts: 0, scores_changed: 0, disqualified: 0, requalified: 0 };
    let after = '';
    for (;;) {
      const refs = (
        await selectRows<{ id: string }>(
          this.ds,
          sql`SELECT id FROM accounts WHERE unit_id = ${unit_id} AND archived_at IS NULL AND id > ${after} ORDER BY id LIMIT ${CHUNK}`,
        )
      ).map((r) => r.id);
      if (!refs.length) break;
      after = refs[refs.length - 1];
      const outcome = await this.ds.transaction(async (m) => {
        const o = await this.scoring.evaluate(m, org_id, unit_id, refs);
        if (o.disqualified || o.requalified) await this.figures.refresh(m, refs);
        return o;
      });
      sum.accounts += refs.length;
      sum.scores_changed += outcome.scored;
      sum.disqualified += outcome.disqualified;
      sum.requalified += outcome.requalified;
      await job.progress(total ? Math.min(100, Math.floor((sum.accounts / total) * 100)) : 100);
      this.log.log({ msg: 'account re-evaluation progress', unit_id, done: sum.accounts, total });
    }
    return sum;
  }
}
