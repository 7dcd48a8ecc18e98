import { Controller, Delete, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped, RequestContext, RequireOuRole, UserOnly } from '../../../platform/tenancy';
import { SampleWipeResultDto, SeedResultDto } from './sample-data.dto';
import { SampleDataService } from './sample-data.service';

/** ADM-4: sample data of the active OU, for a new user to see the product working; Owners (and org admins) only. */
@ApiTags('Admin')
@ApiBearerAuth('bearerAuth')
@OuScoped()
@UserOnly()
@RequireOuRole('Owner')
@Controller('admin/seed')
export class SampleDataController {
  constructor(private readonly samples: SampleDataService) {}

  @Post()
  @ApiOperation({
    operationId: 'seedSampleData',
    summary: 'Seed sample data into the active OU',
    description:
      'Creates a realistic, deterministic sample (the same on the same UTC day) through the product itself: an engagement ruleset with rules ' +
      '(never taking the primary flag from an existing ruleset), Cold/Warm/Hot levels, an inactive milestone trigger without destination, ' +
      '240 leads with e-mail aliases and profile metadata from 12 companies (grouped into accounts when ABM is on), and their events over the ' +
      'last 30 days, queued through the import path with triggers skipped: scores and levels follow within seconds. Every created row is ' +
      'recorded as sample data. 409 sample_data_present when the OU already holds a sample (DELETE it first), 409 sample_data_busy while ' +
      'one is being seeded or erased. Users (JWT or personal access token) with the Owner role of the OU.',
  })
  @ApiCreatedResponse({ type: SeedResultDto })
  @ApiErrors(400, 401, 403, 409)
  async seed(): Promise<SeedResultDto> {
    const out = await this.samples.seed();
    RequestContext.describe({ verb: 'created', entityType: 'sample_data', summary: 'seeded sample data into the active OU' });
    return out;
  }

  @Delete()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'wipeSampleData',
    summary: 'Wipe sample data from the active OU',
    description:
      'Deletes exactly the rows POST /admin/seed recorded, each through its own delete path, and answers the counts per kind. Leads are hidden at ' +
      'once and erased (events, aliases, scores) by the worker. Anything not created by the seed stays: a customer lead, a customer rule added ' +
      'to the sample ruleset (the ruleset then stays too), an account holding a customer lead. Without a sample every count is 0.',
  })
  @ApiOkResponse({ type: SampleWipeResultDto })
  @ApiErrors(400, 401, 403, 409)
  async wipe(): Promise<SampleWipeResultDto> {
    const deleted = await this.samples.wipe();
    RequestContext.describe({
      verb: 'deleted',
      entityType: 'sample_data',
      summary: `wiped sample data: ${Object.entries(deleted)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}`,
    });
    return { message: 'sample data wiped', deleted };
  }
}
