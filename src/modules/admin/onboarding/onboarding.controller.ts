import { Controller, Get } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { OnboardingStatusDto } from './onboarding.dto';
import { OnboardingReader } from './onboarding.reader';

const SUMMARY = 'Guided setup checklist status (OU-scoped)';
const DESCRIPTION =
  'Returns the completion status of each guided setup step for the active Organizational Unit, detected from live data (no flags to set): ' +
  'connect_integration (a Slack workspace installed, HubSpot connected, or a Slack or Microsoft Teams notification channel), create_scoring_rules (a scoring rule), ' +
  'set_engagement_levels (an engagement level). Also accessible at the legacy path /onboarding-status (same handler, same response). ' +
  '400 no_active_ou without an active OU the caller may access.';

/** ONB-1: two paths, one reader (OnboardingReader.status). */
@ApiTags('Onboarding')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class OnboardingController {
  constructor(private readonly onboarding: OnboardingReader) {}

  @Get('onboarding/status')
  @ApiOperation({ operationId: 'getOnboardingStatus', summary: SUMMARY, description: DESCRIPTION })
  @ApiOkResponse({ type: OnboardingStatusDto })
  @ApiErrors(400, 401, 403)
  status(): Promise<OnboardingStatusDto> {
    return this.onboarding.status();
  }

  /** The legacy spelling: the same reader, the same answer (documented under its own operation id). */
  @Get('onboarding-status')
  @ApiOperation({ operationId: 'getOnboardingStatusAlias', summary: SUMMARY, description: `${DESCRIPTION} (Alias of GET /onboarding/status.)` })
  @ApiOkResponse({ type: OnboardingStatusDto })
  @ApiErrors(400, 401, 403)
  legacyStatus(): Promise<OnboardingStatusDto> {
    return this.onboarding.status();
  }
}
