import { Injectable } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { AggregateRepository } from '../../../platform/event-store/aggregate.repository';
import { AppError } from '../../../platform/http/app-error';
import { RequestContext } from '../../../platform/tenancy/request-context';
import { newId } from '../../../platform/database/ids';
import { Ruleset, RulesetRuleViolation } from '../domain/ruleset.aggregate';
import { AddRuleCommand, CreateRulesetCommand, DeleteRulesetCommand, RemoveRuleCommand, ReorderRulesCommand, UpdateRuleCommand } from './ruleset-commands';

const actor = () => RequestContext.actor();

/** Loads a ruleset of the active OU or answers 404 (another OU's ruleset does not exist for the caller). */
function assertInActiveUnit(r: Ruleset): void {
  if (!r.exists || r.info.unit_id !== RequestContext.unitId() || r.info.org_id !== RequestContext.orgId()) throw AppError.notFound('ruleset', 'ruleset_not_found');
}

function toHttp(err: unknown): never {
  if (err instanceof RulesetRuleViolation) {
    if (err.code === 'duplicate_rule') throw AppError.conflict('duplicate_rule', err.message);
    if (err.code === 'invalid_reorder') throw AppError.badRequest('invalid_reorder', err.message);
    throw AppError.notFound(err.code === 'rule_not_found' ? 'rule' : 'ruleset', err.code);
  }
  throw err;
}

// @Injectable so the constructor's parameter types are recorded for the subclasses' injection
@Injectable()
abstract class RulesetHandler {
  constructor(protected readonly repo: AggregateRepository, protected readonly ds: DataSource, protected readonly clock: Clock) {}

  protected now(): string {
    return this.clock.now().toISOString();
  }

  /** The ruleset a rule belongs to, within the active OU (404 otherwise). */
  protected async rulesetOfRule(ruleId: string): Promise<string> {
    const [row] = await this.ds.query(`SELECT ruleset_id FROM rules WHERE id = $1 AND org_id = $2 AND unit_id = $3`, [ruleId, RequestContext.orgId(), RequestContext.unitId()]);
    if (!row) throw AppError.notFound('rule', 'rule_not_found');
    return row.ruleset_id;
  }

  protected async primaryRuleset(): Promise<string | null> {
    const [row] = await this.ds.query(`SELECT id FROM rulesets WHERE org_id = $1 AND unit_id = $2 AND dimension = 'engagement' AND is_primary`, [RequestContext.orgId(), RequestContext.unitId()]);
    return row?.id ?? null;
  }
}

@CommandHandler(CreateRulesetCommand)
export class CreateRulesetHandler extends RulesetHandler implements ICommandHandler<CreateRulesetCommand> {
  async execute({ input }: CreateRulesetCommand): Promise<{ rulesetId: string }> {
    const rulesetId = newId('rs');
    const at = this.now();
    await this.ds.transaction(async (m) => {
      // one primary per dimension and OU: serialise creations in the OU and hand the flag over
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('rulesets:' || $1))`, [RequestContext.unitId()]);
      const [current] = await m.query(`SELECT id FROM rulesets WHERE unit_id = $1 AND dimension = 'engagement' AND is_primary`, [RequestContext.unitId()]);
      const primary = input.is_primary || !current;
      if (primary && current) {
        const previous = await this.repo.load(Ruleset, current.id, m);
        previous.update({ is_primary: false }, at);
        await this.repo.save(previous, RequestContext.eventMetadata(), m);
      }
      const ruleset = new Ruleset(rulesetId);
      ruleset.create({ org_id: RequestContext.orgId(), unit_id: RequestContext.unitId(), dimension: 'engagement', ...input, is_primary: primary, by: actor(), at });
      await this.repo.save(ruleset, RequestContext.eventMetadata(), m);
    });
    return { rulesetId };
  }
}

@CommandHandler(DeleteRulesetCommand)
export class DeleteRulesetHandler extends RulesetHandler implements ICommandHandler<DeleteRulesetCommand> {
  async execute({ rulesetId }: DeleteRulesetCommand): Promise<void> {
    await this.repo
      .execute(Ruleset, rulesetId, RequestContext.eventMetadata(), (r) => {
        assertInActiveUnit(r);
        r.remove(this.now());
      })
      .catch(toHttp);
  }
}

@CommandHandler(AddRuleCommand)
export class AddRuleHandler extends RulesetHandler implements ICommandHandler<AddRuleCommand> {
  async execute({ rulesetId, fields }: AddRuleCommand): Promise<{ ruleId: string; rulesetId: string }> {
    const target = rulesetId ?? (await this.primaryRuleset());
    if (!target) throw AppError.badRequest('ruleset_required', 'ruleset_id: the active OU has no primary engagement ruleset; create one or name a ruleset', [{ field: 'ruleset_id', reason: 'required when the OU has no primary ruleset' }]);
    const ruleId = newId('rl');
    await this.repo
      .execute(Ruleset, target, RequestContext.eventMetadata(), (r) => {
        assertInActiveUnit(r);
        r.addRule(ruleId, fields, actor(), this.now());
      })
      .catch(toHttp);
    return { ruleId, rulesetId: target };
  }
}

@CommandHandler(UpdateRuleCommand)
export class UpdateRuleHandler extends RulesetHandler implements ICommandHandler<UpdateRuleCommand> {
  async execute({ ruleId, changes }: UpdateRuleCommand): Promise<{ rulesetId: string }> {
    const rulesetId = await this.rulesetOfRule(ruleId);
    await this.repo
      .execute(Ruleset, rulesetId, RequestContext.eventMetadata(), (r) => {
        assertInActiveUnit(r);
        const next = { ...r.rule(ruleId), ...changes };
        if (next.start_at && next.end_at && next.start_at >= next.end_at) throw AppError.badRequest('validation_failed', 'end_at: must be after start_at', [{ field: 'end_at', reason: 'must be after start_at' }]);
        r.updateRule(ruleId, changes, actor(), this.now());
      })
      .catch(toHttp);
    return { rulesetId };
  }
}

@CommandHandler(RemoveRuleCommand)
export class RemoveRuleHandler extends RulesetHandler implements ICommandHandler<RemoveRuleCommand> {
  async execute({ ruleId }: RemoveRuleCommand): Promise<void> {
    const rulesetId = await this.rulesetOfRule(ruleId);
    await this.repo
      .execute(Ruleset, rulesetId, RequestContext.eventMetadata(), (r) => {
        assertInActiveUnit(r);
        r.removeRule(ruleId, this.now());
      })
      .catch(toHttp);
  }
}

@CommandHandler(ReorderRulesCommand)
export class ReorderRulesHandler extends RulesetHandler implements ICommandHandler<ReorderRulesCommand> {
  async execute({ rulesetId, ruleIds }: ReorderRulesCommand): Promise<void> {
    await this.repo
      .execute(Ruleset, rulesetId, RequestContext.eventMetadata(), (r) => {
        assertInActiveUnit(r);
        r.reorder(ruleIds, this.now());
      })
      .catch(toHttp);
  }
}

export const RulesetCommandHandlers = [CreateRulesetHandler, DeleteRulesetHandler, AddRuleHandler, UpdateRuleHandler, RemoveRuleHandler, ReorderRulesHandler];
