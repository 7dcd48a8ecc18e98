import { Body, Controller, Get, HttpCode, Put } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { ScoringSettingsService } from '../settings/scoring-settings.service';
import { ScoringSettingsDto, UpdateScoringSettingsDto } from './scoring.dto';

/** GET/PUT /scoring/settings (the catalog files them under Levels). */
@ApiTags('Levels')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('scoring')
export class ScoringSettingsController {
  constructor(private readonly settings: ScoringSettingsService) {}

  @Get('settings')
  @ApiOperation({
    operationId: 'getScoringSettings',
    summary: 'Get scoring settings',
    description: 'Organization-wide toggles plus the session idle timeout of the active OU.',
  })
  @ApiOkResponse({ type: ScoringSettingsDto })
  @ApiErrors(400, 401)
  get(): Promise<ScoringSettingsDto> {
    return this.settings.get();
  }

  @Put('settings')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'updateScoringSettings',
    summary: 'Update scoring settings',
    description:
      'Partial: omitted fields stay. The organization-wide toggles need an organization admin (403 otherwise). Changing allow_negative_scores re-floors every stored lead score of the organization in the background.',
  })
  @ApiNoContentResponse({ description: 'Saved' })
  @ApiErrors(400, 401, 403)
  put(@Body() body: UpdateScoringSettingsDto): Promise<void> {
    return this.settings.update(body);
  }
}
