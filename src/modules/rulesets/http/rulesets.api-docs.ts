import { applyDecorators } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { RuleDto, RulesetDto } from './rulesets.dto';

/**
 * Engagement rulesets and rules. The API overview and the docs use two path families for the same
 * resources (`/engagement-scoring/rules…` and `/rules…`, `/engagement-scoring/rulesets…` and `/rulesets…`);
 * both are served by one handler each, and documented with their own operation ids.
 */
const op = (operationId: string, summary: string, description: string, alias?: string) =>
  ApiOperation({ operationId, summary, description: alias ? `${description} (Alias of ${alias}.)` : description });

export const Docs = {
  listRulesets: (id: string, alias?: string) =>
    applyDecorators(
      op(id, 'List scoring rule sets (OU-scoped)', 'Engagement rulesets of the active OU, primary first, with their rule counts.', alias),
      ApiOkResponse({ type: [RulesetDto] }),
      ApiErrors(400, 401),
    ),
  createRuleset: (id: string, alias?: string) =>
    applyDecorators(
      op(id, 'Create scoring rule set (OU-scoped)', 'The first ruleset of an OU becomes its primary; is_primary=true moves the flag.', alias),
      ApiCreatedResponse({ type: RulesetDto }),
      ApiErrors(400, 401, 403),
    ),
  deleteRuleset: (id: string, alias?: string) =>
    applyDecorators(
      op(id, 'Delete a scoring ruleset (OU-scoped)', 'Deletes the ruleset and its rules; scores it gave are not recomputed.', alias),
      ApiNoContentResponse({ description: 'Deleted' }),
      ApiErrors(401, 403, 404),
    ),
  listRulesetRules: (id: string, alias?: string) =>
    applyDecorators(
      op(id, 'List scoring rules in a set (OU-scoped)', 'Rules of one ruleset in priority order.', alias),
      ApiOkResponse({ type: [RuleDto] }),
      ApiErrors(401, 404),
    ),
  reorder: (id: string, alias?: string) =>
    applyDecorators(
      op(
        id,
        'Reorder scoring rules in a ruleset (OU-scoped)',
        'Atomically sets the priority order of all rules; every rule id exactly once (400 otherwise).',
        alias,
      ),
      ApiNoContentResponse({ description: 'Reordered' }),
      ApiErrors(400, 401, 403, 404),
    ),
  listRules: (id: string, alias?: string) =>
    applyDecorators(
      op(id, 'List scoring rules (OU-scoped)', 'All engagement rules of the active OU.', alias),
      ApiOkResponse({ type: [RuleDto] }),
      ApiErrors(400, 401),
    ),
  createRule: (id: string, alias?: string) =>
    applyDecorators(
      op(
        id,
        'Create scoring rule (OU-scoped)',
        'Adds a rule to the ruleset (the primary one when ruleset_id is omitted) at the lowest priority. Same event type and filters as another rule → 409.',
        alias,
      ),
      ApiCreatedResponse({ type: RuleDto }),
      ApiErrors(400, 401, 403, 404, 409),
    ),
  updateRule: (id: string, alias?: string) =>
    applyDecorators(
      op(id, 'Update scoring rule (OU-scoped)', 'Partial update; history is not recomputed (use score-now).', alias),
      ApiOkResponse({ type: RuleDto }),
      ApiErrors(400, 401, 403, 404, 409),
    ),
  deleteRule: (id: string, alias?: string) =>
    applyDecorators(
      op(id, 'Delete scoring rule (OU-scoped)', 'Future events stop earning its points; past contributions stay.', alias),
      ApiNoContentResponse({ description: 'Deleted' }),
      ApiErrors(401, 403, 404),
    ),
};
