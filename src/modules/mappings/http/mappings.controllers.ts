import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Type, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { MappingInput, MappingsService } from '../config/mappings.service';
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

/** What differs between the profile and the account mappings' routes: tag, ABM gate, DTOs and how a body reads. */
interface TargetRoutes<Input> {
  target: MappingTarget;
  tag: string;
  abm: boolean;
  view: Type<unknown>;
  history: Type<unknown>;
  input: Type<Input>;
  toInput(body: Input): MappingInput;
}

const PROFILE: TargetRoutes<ProfileMappingInputDto> = {
  target: 'profile',
  tag: 'Profile',
  abm: false,
  view: ProfileMappingDto,
  history: ProfileMappingHistoryDto,
  input: ProfileMappingInputDto,
  // seed names first, the older docs names when the seed's are absent
  toInput: (body) => ({
    source_field: (body.source_field ?? body.metadata_key)!,
    property: (body.profile_property ?? body.profile_field)!,
    update_behavior: body.update_behavior,
  }),
};

const ACCOUNT: TargetRoutes<AccountMappingInputDto> = {
  target: 'account',
  tag: 'Account',
  abm: true,
  view: AccountMappingDto,
  history: AccountMappingHistoryDto,
  input: AccountMappingInputDto,
  toInput: (body) => ({ source_field: body.source_field, property: body.account_property, update_behavior: body.update_behavior }),
};

/**
 * The mappings routes of one target under one path spelling. Profile: the API overview serves the list under
 * `/profile-scoring/mappings`, the docs pages create, update and delete under `/profile-mappings`; account (ABM):
 * catalogued under `/account-scoring/mappings`, also served as `/account-mappings`. Both spellings serve every
 * operation (history included).
 */
function mappingsController<Input>(t: TargetRoutes<Input>, base: string, other: string, canonical: ReadonlySet<Operation>): Type<unknown> {
  const doc = docs(t.target, other, canonical);
  const reads = t.abm ? ([400, 401, 403] as const) : ([400, 401] as const);
  const gate: ClassDecorator = t.abm ? UseGuards(AbmEnabledGuard) : () => undefined;

  @ApiTags(t.tag)
  @ApiBearerAuth('bearerAuth')
  @ApiBasicAuth('basicAuth')
  @OuScoped()
  @gate
  @Controller(base)
  class MappingsController {
    constructor(@Inject(MappingsService) private readonly mappings: MappingsService) {}

    @Get()
    @doc('list')
    @ApiOkResponse({ type: [t.view] })
    @ApiErrors(...reads)
    list(): Promise<MappingView[]> {
      return this.mappings.list(t.target);
    }

    @Get('history')
    @doc('history')
    @ApiOkResponse({ type: [t.history] })
    @ApiErrors(...reads)
    history(): Promise<MappingHistoryView[]> {
      return this.mappings.history(t.target);
    }

    @Post()
    @doc('create')
    @ApiCreatedResponse({ type: t.view })
    @ApiErrors(400, 401, 403, 409)
    create(@Body() body: Input): Promise<MappingView> {
      return this.mappings.create(t.target, t.toInput(body));
    }

    @Put(':id')
    @doc('update')
    @ApiOkResponse({ type: t.view })
    @ApiErrors(400, 401, 403, 404, 409)
    update(@Param('id') id: string, @Body() body: Input): Promise<MappingView> {
      return this.mappings.update(t.target, id, t.toInput(body));
    }

    @Delete(':id')
    @HttpCode(204)
    @doc('delete')
    @ApiNoContentResponse({ description: 'Deleted' })
    @ApiErrors(400, 401, 403, 404)
    async remove(@Param('id') id: string): Promise<void> {
      await this.mappings.remove(t.target, id);
    }
  }
  // A generic body has no runtime type: name the DTO, so that the validation pipe and the OpenAPI document see it.
  Reflect.defineMetadata('design:paramtypes', [t.input], MappingsController.prototype, 'create');
  Reflect.defineMetadata('design:paramtypes', [String, t.input], MappingsController.prototype, 'update');
  return named(MappingsController, `${capital(t.target)}MappingsController${base.includes('-scoring/') ? '' : 'Alias'}`);
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
  mappingsController(PROFILE, 'profile-scoring/mappings', 'profile-mappings', new Set(['list', 'history'])),
  mappingsController(PROFILE, 'profile-mappings', 'profile-scoring/mappings', new Set(['create', 'update', 'delete'])),
  mappingsController(ACCOUNT, 'account-scoring/mappings', 'account-mappings', new Set(ALL)),
  mappingsController(ACCOUNT, 'account-mappings', 'account-scoring/mappings', new Set()),
  LeadMetadataPropertiesController,
  AccountMetadataPropertiesController,
];
