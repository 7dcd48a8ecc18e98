import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { SurgeSessionPolicyService } from '../settings/surge-session-policy.service';
import { PutSurgeSessionPolicyDto, SurgeSessionPolicyDto } from './surge-session-policy.dto';

/** GET/PUT /settings/ou/surge-session-policy (SUR-S1). */
@ApiTags('Settings')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('settings/ou/surge-session-policy')
export class SurgeSessionPolicyController {
  constructor(private readonly policies: SurgeSessionPolicyService) {}

  @Get()
  @ApiOperation({
    operationId: 'getSurgeSessionPolicy',
    summary: 'Get OU surge session policy',
    description:
      'The session-based surge multiplier policy of the active OU; the Standard defaults when none was saved. A lead’s session is its run of ' +
      'counted events (not suppressed, not observe-only or hidden, not system) with gaps of at most idle_reset_seconds; the k-th event of a session ' +
      'earns its rule weight × the multiplier of the highest band with min_events ≤ k, capped at multiplier_cap (off: always 1).',
  })
  @ApiOkResponse({ type: SurgeSessionPolicyDto })
  @ApiErrors(400, 401)
  get(): Promise<SurgeSessionPolicyDto> {
    return this.policies.get();
  }

  @Put()
  @ApiOperation({
    operationId: 'putSurgeSessionPolicy',
    summary: 'Upsert OU surge session policy',
    description:
      'Creates or replaces the active OU’s policy and answers it. standard and gentle are presets (their bands, idle reset and cap apply); custom needs ' +
      'non-empty bands with distinct min_events; omitted idle_reset_seconds and multiplier_cap take Standard’s values. Applies to events recorded from ' +
      'the next ingest batch on: multipliers are frozen at event time, so stored scores, score-now and dry runs keep the ones events were recorded with.',
  })
  @ApiOkResponse({ type: SurgeSessionPolicyDto })
  @ApiErrors(400, 401, 403)
  put(@Body() body: PutSurgeSessionPolicyDto): Promise<SurgeSessionPolicyDto> {
    return this.policies.put(body);
  }
}
