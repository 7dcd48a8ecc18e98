import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Type, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { MappingsService } from '../config/mappings.service';
import { MappingHistoryView, MappingView } from '../config/mapping-views';
import { MappingTarget } from '../domain';
import { AbmEnabledGuard } from './abm-enabled.guard';
import {
  AccountMappingDto,
  AccountMappingHistoryDto,
  AccountMappingInputDto,
  ProfileMappingDto,
  ProfileMappingHistoryDto,
  ProfileMappingInputDto,
} from './mappings.dto';

type Operation = 'list' | 'create' | 'update' | 'delete' | 'history';

const ABM = ' Answers 403 abm_disabled unless the organization has abm_enabled (ABM-1).';
const WHERE: Record<MappingTarget, string> = {
  profile: "the lead's metadata (its profile, which profile rules read)",
  account: "the metadata of the event's lead's account",
};

const DESCRIPTIONS: Record<Operation, (t: MappingTarget) => string> = {
  list: (t) => `The active OU's ${t} mappings, oldest first (the order they apply in: a later mapping sees an earlier one's change).`,
  create: (t) =>
    `Maps an event metadata key to a property of ${WHERE[t]}, applied to every event ingested from now on with the mapping's update_behavior ` +
    `(existing ${t === 'profile' ? 'leads: POST /backfill/profile-mappings' : 'data is not rewritten'}). ` +
    (t === 'profile' ? 'Accepts the seed shape {source_field, profile_property} or the older docs shape {metadata_key, profile_field}. ' : '') +
    'The same source_field mapped twice to the same property answers 409 mapping_exists.',
  update: (t) =>
    `Replaces the mapping's source_field and ${t}_property (both required${t === 'profile' ? ', or their docs names' : ''}); an omitted update_behavior keeps the current one. Applies to events ingested from now on.`,
  delete: () => 'Only future events stop being mapped; the values it wrote stay.',
  history: (t) => `The audit log of every create, update and delete of the OU's ${t} mappings, newest first, with who, when, and the mapping before and after.`,
};

const TITLES: Record<Operation, (t: string) => string> = {
  list: (t) => `List ${t} field mappings (OU-scoped)`,
  create: (t) => `Create ${t} field mapping (OU-scoped)`,
  update: (t) => `Update ${t} field mapping (OU-scoped)`,
  delete: (t) => `Delete ${t} field mapping (OU-scoped)`,
  history: (t) => `Get ${t} mapping change history (OU-scoped)`,
};

const capital = (s: string) => s[0].toUpperCase() + s.slice(1);

/** Operation docs of one target under one path spelling (`…Alias` operation ids on the spelling the catalog does not list). */
function docs(target: MappingTarget, other: string, canonical: ReadonlySet<Operation>) {
  const T = capital(target);
  const ids: Record<Operation, string> = {
    list: `list${T}Mappings`,
    create: `create${T}Mapping`,
    update: `update${T}Mapping`,
    delete: `delete${T}Mapping`,
    history: `get${T}MappingHistory`,
  };
  const alias: Record<Operation, string> = {
    list: `GET /${other}`,
    create: `POST /${other}`,
    update: `PUT /${other}/{id}`,
    delete: `DELETE /${other}/{id}`,
    history: `GET /${other}/history`,
  };
  const abm = target === 'account' ? ABM : '';
  return (op: Operation) =>
    ApiOperation({
      operationId: canonical.has(op) ? ids[op] : `${ids[op]}Alias`,
      summary: TITLES[op](target),
      description: `${DESCRIPTIONS[op](target)}${abm}${canonical.has(op) ? '' : ` (Alias of ${alias[op]}.)`}`,
    });
}

const named = (c: Type<unknown>, name: string) => Object.defineProperty(c, 'name', { value: name });

/**
 * Profile mappings: the API overview serves the list under `/profile-scoring/mappings`, the docs pages create,
 * update and delete under `/profile-mappings`; both spellings serve every operation (history included).
 */
function profileMappingsController(base: string, other: string, canonical: ReadonlySet<Operation>): Type<unknown> {
  const doc = docs('profile', other, canonical);

  @ApiTags('Profile')
  @ApiBearerAuth('bearerAuth')
  @ApiBasicAuth('basicAuth')
  @OuScoped()
  @Controller(base)
  class ProfileMappingsController {
    constructor(@Inject(MappingsService) private readonly mappings: MappingsService) {}

    @Get()
    @doc('list')
    @ApiOkResponse({ type: [ProfileMappingDto] })
    @ApiErrors(400, 401)
    list(): Promise<MappingView[]> {
      return this.mappings.list('profile');
    }

    @Get('history')
    @doc('history')
    @ApiOkResponse({ type: [ProfileMappingHistoryDto] })
    @ApiErrors(400, 401)
    history(): Promise<MappingHistoryView[]> {
      return this.mappings.history('profile');
    }

    @Post()
    @doc('create')
    @ApiCreatedResponse({ type: ProfileMappingDto })
    @ApiErrors(400, 401, 403, 409)
    create(@Body() body: ProfileMappingInputDto): Promise<MappingView> {
      return this.mappings.create('profile', profileInput(body));
    }

    @Put(':id')
    @doc('update')
    @ApiOkResponse({ type: ProfileMappingDto })
    @ApiErrors(400, 401, 403, 404, 409)
    update(@Param('id') id: string, @Body() body: ProfileMappingInputDto): Promise<MappingView> {
      return this.mappings.update('profile', id, profileInput(body));
    }

    @Delete(':id')
    @HttpCode(204)
    @doc('delete')
    @ApiNoContentResponse({ description: 'Deleted' })
    @ApiErrors(400, 401, 403, 404)
    async remove(@Param('id') id: string): Promise<void> {
      await this.mappings.remove('profile', id);
    }
  }
  return named(ProfileMappingsController, `ProfileMappingsController${base.includes('-scoring/') ? '' : 'Alias'}`);
}

/** Account mappings (ABM): catalogued under `/account-scoring/mappings`, also served as `/account-mappings`. */
function accountMappingsController(base: string, other: string, canonical: ReadonlySet<Operation>): Type<unknown> {
  const doc = docs('account', other, canonical);

  @ApiTags('Account')
  @ApiBearerAuth('bearerAuth')
  @ApiBasicAuth('basicAuth')
  @OuScoped()
  @UseGuards(AbmEnabledGuard)
  @Controller(base)
  class AccountMappingsController {
    constructor(@Inject(MappingsService) private readonly mappings: MappingsService) {}

    @Get()
    @doc('list')
    @ApiOkResponse({ type: [AccountMappingDto] })
    @ApiErrors(400, 401, 403)
    list(): Promise<MappingView[]> {
      return this.mappings.list('account');
    }

    @Get('history')
    @doc('history')
    @ApiOkResponse({ type: [AccountMappingHistoryDto] })
    @ApiErrors(400, 401, 403)
    history(): Promise<MappingHistoryView[]> {
      return this.mappings.history('account');
    }

    @Post()
    @doc('create')
    @ApiCreatedResponse({ type: AccountMappingDto })
    @ApiErrors(400, 401, 403, 409)
    create(@Body() body: AccountMappingInputDto): Promise<MappingView> {
      return this.mappings.create('account', accountInput(body));
    }

    @Put(':id')
    @doc('update')
    @ApiOkResponse({ type: AccountMappingDto })
    @ApiErrors(400, 401, 403, 404, 409)
    update(@Param('id') id: string, @Body() body: AccountMappingInputDto): Promise<MappingView> {
      return this.mappings.update('account', id, accountInput(body));
    }

    @Delete(':id')
    @HttpCode(204)
    @doc('delete')
    @ApiNoContentResponse({ description: 'Deleted' })
    @ApiErrors(400, 401, 403, 404)
    async remove(@Param('id') id: string): Promise<void> {
      await this.mappings.remove('account', id);
    }
  }
  return named(AccountMappingsController, `AccountMappingsController${base.includes('-scoring/') ? '' : 'Alias'}`);
}

/** Seed names first, the older docs names when the seed's are absent. */
function profileInput(body: ProfileMappingInputDto) {
  return {
    source_field: (body.source_field ?? body.metadata_key)!,
    property: (body.profile_property ?? body.profile_field)!,
    update_behavior: body.update_behavior,
  };
}

function accountInput(body: AccountMappingInputDto) {
  return { source_field: body.source_field, property: body.account_property, update_behavior: body.update_behavior };
}

@ApiTags('Profile')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('lead-metadata')
export class LeadMetadataPropertiesController {
  constructor(private readonly mappings: MappingsService) {}

  @Get('properties')
  @ApiOperation({
    operationId: 'listLeadMetadataProperties',
    summary: 'List distinct lead metadata properties (OU-scoped)',
    description:
      "Returns distinct keys observed in lead metadata for the active OU, by name (PRF-15): every top-level key any lead's metadata has had, " +
      'kept by a read model as metadata changes (never a scan of the leads), so a key stays listed after the last lead holding it lost it.',
  })
  @ApiOkResponse({ type: [String] })
  @ApiErrors(400, 401)
  list(): Promise<string[]> {
    return this.mappings.metadataKeys('profile');
  }
}

@ApiTags('Account')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@UseGuards(AbmEnabledGuard)
@Controller('account-metadata')
export class AccountMetadataPropertiesController {
  constructor(private readonly mappings: MappingsService) {}

  @Get('properties')
  @ApiOperation({
    operationId: 'listAccountMetadataProperties',
    summary: 'List distinct account metadata property keys (OU-scoped)',
    description: `Distinct top-level keys written to account metadata in the active OU, by name.${ABM}`,
  })
  @ApiOkResponse({ type: [String] })
  @ApiErrors(400, 401, 403)
  list(): Promise<string[]> {
    return this.mappings.metadataKeys('account');
  }
}

const ALL: Operation[] = ['list', 'create', 'update', 'delete', 'history'];

/** Endpoint catalog: list and history under `/profile-scoring/mappings`, create/update/delete under `/profile-mappings`; account under `/account-scoring/mappings`. */
export const MAPPING_CONTROLLERS = [
  profileMappingsController('profile-scoring/mappings', 'profile-mappings', new Set(['list', 'history'])),
  profileMappingsController('profile-mappings', 'profile-scoring/mappings', new Set(['create', 'update', 'delete'])),
  accountMappingsController('account-scoring/mappings', 'account-mappings', new Set(ALL)),
  accountMappingsController('account-mappings', 'account-scoring/mappings', new Set()),
  LeadMetadataPropertiesController,
  AccountMetadataPropertiesController,
];
