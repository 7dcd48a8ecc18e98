import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { Logger } from '@nestjs/common';
import { AttributeRulesChanged } from './attribute-rules-changed.event';
import { ProfileScoring } from './profile-scoring.service';

/** A profile ruleset or rule changed: every lead of the OU is re-evaluated on the worker (PRF-8). */
@EventsHandler(AttributeRulesChanged)
export class ProfileRulesChangedHandler implements IEventHandler<AttributeRulesChanged> {
  private readonly log = new Logger('ProfileScoring');

  constructor(private readonly profiles: ProfileScoring) {}

  async handle(e: AttributeRulesChanged): Promise<void> {
    if (e.dimension !== 'profile') return;
    await this.profiles
      .queueUnit({ org_id: e.orgId, unit_id: e.unitId, ruleset_id: e.rulesetId, cause: 'rules_changed', actor: e.actor })
      .catch((err: Error) => this.log.error({ msg: 'could not queue profile re-evaluation', unit_id: e.unitId, err: err.message }));
  }
}
