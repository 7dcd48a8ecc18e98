import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, Type } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { LevelsService } from '../config/levels.service';
import { LevelHistoryView, LevelView } from '../config/level-views';
import { LevelKind } from '../domain/level-range';
import {
  CreateLevelDto,
  EngagementLevelDto,
  EngagementLevelHistoryDto,
  LevelDto,
  LevelHistoryDto,
  LevelHistoryQueryDto,
  RevertLevelsDto,
  UpdateLevelDto,
} from './levels.dto';

type Operation = 'list' | 'create' | 'update' | 'delete' | 'history' | 'revert';
/** The kinds with routes; deal levels (feature-flagged, docs only) use the same service once they get theirs. */
type RoutedKind = Exclude<LevelKind, 'deal'>;

const DESCRIPTIONS: Record<Operation, (kind: RoutedKind) => string> = {
  list: (k) =>
    `The ${k} levels of the active OU by min_score: by default the configuration in effect (the primary ${k} ruleset's; while it has none, the levels stored without a ruleset), else the named ruleset's.`,
  create: (k) =>
    `Ranges are inclusive; max_score null (or omitted) is an open top tier; a range overlapping another level of the same configuration answers 409 level_overlap, min_score above max_score 400. ` +
    `The level belongs to ruleset_id, by default the configuration in effect${k === 'engagement' ? '' : ` (${k} scoring has no rulesets yet, so ruleset_id is null)`}. ` +
    `Stores a snapshot of the whole configuration${k === 'engagement' ? '; leads are re-classified at once (in the background for an OU of more than 5,000 live leads), each change a level_changed on GET /stream' : ''}.`,
  update: () =>
    'Partial update (omitted fields stay; max_score null opens the top tier); the same range checks as create; stores a snapshot and re-classifies.',
  delete: () => 'Deletes a level (400 last_level when it is the last of its configuration); stores a snapshot and re-classifies.',
  history: () =>
    'Snapshots of one configuration, newest first, one per create, update, delete or revert. ruleset_id defaults to the configuration in effect (null for profile and account, which have no rulesets yet).',
  revert: () =>
    'Replaces the configuration the history entry belongs to with its snapshot, stores that as a new snapshot (answered here) and re-classifies leads. Unknown entry, or one of another OU or kind: 404.',
};

const TITLES: Record<Operation, (k: string) => string> = {
  list: (k) => `List ${k} levels (OU-scoped)`,
  create: (k) => `Create ${k} level (OU-scoped)`,
  update: (k) => `Update ${k} level (OU-scoped)`,
  delete: (k) => `Delete ${k} level (OU-scoped)`,
  history: (k) => `Get ${k} level configuration history (OU-scoped)`,
  revert: (k) => `Revert ${k} levels to a historical snapshot (OU-scoped)`,
};

const capital = (s: string) => s[0].toUpperCase() + s.slice(1);

/**
 * The level routes of one kind under one path spelling. The API overview serves levels under
 * `/{kind}-scoring/levels…`, the docs pages under `/{kind}-levels…`; both spellings are served for every operation by
 * the same service, each documented once with its own operation id (`…Alias` on the spelling the catalog does not
 * list for that operation).
 */
function levelsController(kind: RoutedKind, base: string, other: string, canonical: ReadonlySet<Operation>): Type<unknown> {
  const K = capital(kind);
  const ids: Record<Operation, string> = {
    list: `list${K}Levels`,
    create: `create${K}Level`,
    update: `update${K}Level`,
    delete: `delete${K}Level`,
    history: `get${K}LevelHistory`,
    revert: `revert${K}Levels`,
  };
  const alias: Record<Operation, string> = {
    list: `GET /${other}`,
    create: `POST /${other}`,
    update: `PUT /${other}/{id}`,
    delete: `DELETE /${other}/{id}`,
    history: `GET /${other}/history`,
    revert: `POST /${other}/revert`,
  };
  const doc = (op: Operation) =>
    ApiOperation({
      operationId: canonical.has(op) ? ids[op] : `${ids[op]}Alias`,
      summary: TITLES[op](kind),
      description: canonical.has(op) ? DESCRIPTIONS[op](kind) : `${DESCRIPTIONS[op](kind)} (Alias of ${alias[op]}.)`,
    });
  const Level = kind === 'engagement' ? EngagementLevelDto : LevelDto;
  const History = kind === 'engagement' ? EngagementLevelHistoryDto : LevelHistoryDto;

  @ApiTags('Levels')
  @ApiBearerAuth('bearerAuth')
  @ApiBasicAuth('basicAuth')
  @OuScoped()
  @Controller(base)
  class LevelsController {
    constructor(@Inject(LevelsService) private readonly levels: LevelsService) {}

    @Get()
    @doc('list')
    @ApiOkResponse({ type: [Level] })
    @ApiErrors(400, 401, 404)
    list(@Query() q: LevelHistoryQueryDto): Promise<LevelView[]> {
      return this.levels.list(kind, q.ruleset_id);
    }

    // static segments (history, revert) before /:id
    @Get('history')
    @doc('history')
    @ApiOkResponse({ type: [History] })
    @ApiErrors(400, 401, 404)
    history(@Query() q: LevelHistoryQueryDto): Promise<LevelHistoryView[]> {
      return this.levels.history(kind, q.ruleset_id);
    }

    @Post('revert')
    @HttpCode(200)
    @doc('revert')
    @ApiOkResponse({ type: History })
    @ApiErrors(400, 401, 403, 404)
    revert(@Body() body: RevertLevelsDto): Promise<LevelHistoryView> {
      return this.levels.revert(kind, body.history_id);
    }

    @Post()
    @doc('create')
    @ApiCreatedResponse({ type: Level })
    @ApiErrors(400, 401, 403, 404, 409)
    create(@Body() body: CreateLevelDto): Promise<LevelView> {
      return this.levels.create(kind, body);
    }

    @Put(':id')
    @doc('update')
    @ApiOkResponse({ type: Level })
    @ApiErrors(400, 401, 403, 404, 409)
    update(@Param('id') id: string, @Body() body: UpdateLevelDto): Promise<LevelView> {
      return this.levels.update(kind, id, body);
    }

    @Delete(':id')
    @HttpCode(204)
    @doc('delete')
    @ApiNoContentResponse({ description: 'Deleted' })
    @ApiErrors(400, 401, 403, 404)
    async remove(@Param('id') id: string): Promise<void> {
      await this.levels.remove(kind, id);
    }
  }
  Object.defineProperty(LevelsController, 'name', { value: `${K}LevelsController${base.includes('-scoring/') ? '' : 'Alias'}` });
  return LevelsController;
}

const ALL: Operation[] = ['list', 'create', 'update', 'delete', 'history', 'revert'];
const except = (...ops: Operation[]) => new Set(ALL.filter((o) => !ops.includes(o)));

/**
 * Endpoint catalog: engagement and profile list, history and revert under `/{kind}-scoring/levels`, create, update and
 * delete under `/{kind}-levels`; account levels only under `/account-scoring/levels`. Every other spelling is an alias.
 */
export const LEVEL_CONTROLLERS = [
  levelsController('engagement', 'engagement-scoring/levels', 'engagement-levels', new Set(['list', 'history', 'revert'])),
  levelsController('engagement', 'engagement-levels', 'engagement-scoring/levels', new Set(['create', 'update', 'delete'])),
  levelsController('profile', 'profile-scoring/levels', 'profile-levels', new Set(['list', 'history', 'revert'])),
  levelsController('profile', 'profile-levels', 'profile-scoring/levels', new Set(['create', 'update', 'delete'])),
  levelsController('account', 'account-scoring/levels', 'account-levels', new Set(ALL)),
  levelsController('account', 'account-levels', 'account-scoring/levels', except(...ALL)),
];
