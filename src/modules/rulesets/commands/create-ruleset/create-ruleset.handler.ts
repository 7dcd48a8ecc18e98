import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../../platform/clock';
import { selectOne, sql, newId } from '../../../../platform/database';
import { AggregateRepository } from '../../../../platform/event-store';
import { PlatformErrors } from '../../../../platform/http';
import { RequestContext, unitScope } from '../../../../platform/tenancy';
import { Dimension, ENGAGEMENT } from '../../../scoring';
import { Ruleset } from '../../domain/ruleset.aggregate';
import { CreateRulesetCommand, NewRuleset } from './create-ruleset.command';

/** 400 when the ruleset would end before it starts (ISO dates compare as strings). */
export function assertDatesInOrder(input: Pick<NewRuleset, 'start_date' | 'end_date'>): void {
  if (input.start_date && input.end_date && input.start_date > input.end_date) {
    throw PlatformErrors.error('validation_failed', 'end_date: must not be before start_date', [
      { field: 'end_date', reason: 'must not be before start_date' },
    ]);
  }
}

/**
 * One primary per dimension and OU: serialises ruleset changes of the OU and takes the flag from the current primary
 * when `wanted`. Answers whether the new or changed ruleset is primary: engagement's first ruleset always is.
 */
export async function handOverPrimary(
  m: EntityManager,
  repo: AggregateRepository,
  dimension: Dimension,
  wanted: boolean,
  at: string,
  self?: string,
): Promise<boolean> {
  await m.query(`SELECT pg_advisory_xact_lock(hashtext('rulesets:' || $1))`, [RequestContext.unitId()]);
  const current = await selectOne<{ id: string }>(m, sql`SELECT id FROM rulesets WHERE ${unitScope()} AND dimension = ${dimension} AND is_primary`);
  const primary = wanted || (dimension === ENGAGEMENT && !current);
  if (primary && current && current.id !== self) {
    const previous = await repo.load(Ruleset, current.id, m);
    previous.update({ is_primary: false }, at);
    await repo.save(previous, RequestContext.eventMetadata(), m);
  }
  return primary;
}

@CommandHandler(CreateRulesetCommand)
export class CreateRulesetHandler implements ICommandHandler<CreateRulesetCommand> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async execute({ input, dimension }: CreateRulesetCommand): Promise<{ rulesetId: string }> {
    assertDatesInOrder(input);
    const rulesetId = newId('rs');
    const at = this.clock.now().toISOString();
    const orgId = RequestContext.orgId();
    const unitId = RequestContext.unitId();
    await this.ds.transaction(async (m) => {
      // one primary per dimension and OU: serialise creations in the OU and hand the flag over
      const primary = await handOverPrimary(m, this.repo, dimension, input.is_primary, at);
      const ruleset = new Ruleset(rulesetId);
      ruleset.create({ org_id: orgId, unit_id: unitId, dimension, ...input, is_primary: primary, by: RequestContext.actor(), at });
      await this.repo.save(ruleset, RequestContext.eventMetadata(), m);
    });
    return { rulesetId };
  }
}
