import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { LeadAliasesDto, LeadByAliasDto, LeadDto, LeadMetadataDto, LeadWithAccountDto } from './leads.dto';

/** The same operation documented under its plural path and its singular alias. */
export const op = (operationId: string, summary: string, description: string, alias?: string) =>
  ApiOperation({ operationId, summary, description: alias ? `${description} (Alias of ${alias}.)` : description });

export const docs = {
  byAlias: (id: string, alias?: string) =>
    applyDecorators(
      op(
        id,
        'Look up a lead by alias (e.g., email)',
        'Resolves a lead of the active OU from an alias (`kind`, default `email`; `value` is trimmed and, for e-mail, matched case-insensitively) and answers its id, first e-mail alias and metadata. 400 without `value`; 404 when no lead of the active OU has the alias.',
        alias,
      ),
      ApiOkResponse({ type: LeadByAliasDto }),
      ApiErrors(400, 401, 404),
    ),
  create: (id: string, alias?: string) =>
    applyDecorators(
      op(
        id,
        'Create a new lead (OU-scoped)',
        'Creates a lead with the given public id, metadata (at most 100 KB of JSON, else 413) and optional account id. 409 `lead_exists` when the id is already used in the active OU, also by a lead whose deletion is under way.',
        alias,
      ),
      ApiCreatedResponse({ type: LeadDto }),
      ApiErrors(400, 401, 403, 409, 413),
    ),
  get: (id: string, alias?: string) =>
    applyDecorators(
      op(
        id,
        'Get a lead including metadata and related account (OU-scoped)',
        '`{lead, account}`. `lead.score` is the highest engagement score across the active rulesets, exact as of now. `account` is the account the lead is grouped into (ABM; the fields of an account list row), null when it is in none. 404 for another OU’s lead and for a lead being deleted.',
        alias,
      ),
      ApiOkResponse({ type: LeadWithAccountDto }),
      ApiErrors(400, 401, 404),
    ),
  patchMetadata: (id: string, alias?: string) =>
    applyDecorators(
      op(
        id,
        'Patch lead metadata (OU-scoped)',
        'Shallow merge of a free-form JSON object into the lead’s metadata: keys not sent are kept, a key set to null is removed. Answers the lead with its full metadata. 400 when the body is not a JSON object (or a key is empty or longer than 256 characters); 413 when the resulting metadata exceeds 100 KB.',
        alias,
      ),
      ApiBody({ schema: { type: 'object', additionalProperties: true, example: { industry: 'SaaS', plan: 'Pro', obsolete_key: null } } }),
      ApiOkResponse({ type: LeadMetadataDto }),
      ApiErrors(400, 401, 403, 404, 413),
    ),
  aliases: (id: string, alias?: string) =>
    applyDecorators(
      op(id, 'List lead aliases (OU-scoped)', 'Every alias of the lead (oldest first), with the time it was first seen.', alias),
      ApiOkResponse({ type: LeadAliasesDto }),
      ApiErrors(400, 401, 404),
    ),
};
