import { Body, Controller, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
import { AppConfig } from '../../../config/app-config';
import { ApiErrors } from '../../../platform/http';
import { BillingExempt, RequestContext, RequireOrgAdmin } from '../../../platform/tenancy';
import { ACTIVE_OU_COOKIE } from '../auth/active-ou-cookie';
import { ActiveOuService } from '../services/active-ou.service';
import { OrgUnitsService } from '../services/org-units.service';
import { OuAccessService } from '../services/ou-access.service';
import { ActiveUnitDto, SetActiveUnitDto, UnitDto, UnitListDto, UnitNameDto } from './org-units.dto';
import { toUnit } from './identity.mappers';
import { IdentityErrors } from '../identity.errors';

@ApiTags('OrgUnits')
@ApiBearerAuth('bearerAuth')
@Controller('org-units')
export class OrgUnitsController {
  constructor(
    private readonly units: OrgUnitsService,
    private readonly access: OuAccessService,
    private readonly activeOu: ActiveOuService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listOrgUnits',
    summary: 'List organization units for current user with organization info',
    description: 'The OUs the caller may use, with their role in each.',
  })
  @ApiOkResponse({ type: UnitListDto })
  @ApiErrors(401)
  async list(): Promise<UnitListDto> {
    const p = RequestContext.principal();
    const [org, units] = await Promise.all([this.units.organization(p.orgId), this.units.accessible(p)]);
    return {
      units: units.map(({ unit, role }) => ({ ...toUnit(unit), org_id: unit.orgId, is_default: unit.isDefault, role })),
      organization: { org_id: org.id, name: org.name, slug: org.slug },
    };
  }

  @Post()
  @RequireOrgAdmin()
  @ApiOperation({
    operationId: 'createOrgUnit',
    summary: 'Create organization unit',
    description: 'Org admins only; the plan includes up to 3 OUs (403 ou_limit_reached). The creator becomes Owner.',
  })
  @ApiCreatedResponse({ type: UnitDto })
  @ApiErrors(400, 401, 403)
  async create(@Body() body: UnitNameDto): Promise<UnitDto> {
    const unit = await this.units.create(RequestContext.principal(), body.name);
    RequestContext.describe({ entityType: 'org_unit', entityId: unit.id, summary: `created organizational unit '${unit.name}'` });
    return toUnit(unit);
  }

  @Post('active')
  @HttpCode(200)
  @BillingExempt()
  @ApiOperation({
    operationId: 'setActiveOrgUnit',
    summary: 'Set active Organization Unit (OU)',
    description:
      'Checks membership, sets the HttpOnly activeOu cookie and remembers the OU for this credential, so later requests of cookie-less clients (Basic auth, tokens) use it too. Answers X-Active-OU and X-Org-Id headers.',
  })
  @ApiOkResponse({ type: ActiveUnitDto })
  @ApiErrors(400, 401, 403, 404)
  async setActive(@Body() body: SetActiveUnitDto, @Res({ passthrough: true }) res: Response): Promise<ActiveUnitDto> {
    const p = RequestContext.principal();
    const unit = await this.units.get(p.orgId, body.ouId);
    const role = await this.access.roleIn(p, unit.id);
    if (!role) throw IdentityErrors.error('not_a_member', 'you are not a member of this organizational unit');
    await this.activeOu.remember(p, unit.id);
    const maxAgeSeconds = 180 * 86400;
    res.setCookie(ACTIVE_OU_COOKIE, unit.id, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.env.NODE_ENV === 'production',
      path: '/',
      maxAge: maxAgeSeconds,
      expires: new Date(Date.now() + maxAgeSeconds * 1000),
    });
    res.header('X-Active-OU', unit.id);
    res.header('X-Org-Id', p.orgId);
    const ctx = RequestContext.current();
    if (ctx) ctx.unitId = unit.id;
    RequestContext.describe({ verb: 'updated', entityType: 'active_ou', entityId: unit.id, summary: `switched to organizational unit '${unit.name}'` });
    return { ...toUnit(unit), org_id: p.orgId, role };
  }

  @Put(':id')
  @ApiOperation({
    operationId: 'updateOrgUnit',
    summary: 'Update organization unit',
    description: 'Renames the OU and regenerates its slug. Needs the Owner role in that OU (or org admin).',
  })
  @ApiOkResponse({ type: UnitDto })
  @ApiErrors(400, 401, 403, 404)
  async rename(@Param('id') id: string, @Body() body: UnitNameDto): Promise<UnitDto> {
    const p = RequestContext.principal();
    await this.access.require(p, id, ['Owner']);
    const unit = await this.units.rename(p.orgId, id, body.name);
    RequestContext.describe({ entityType: 'org_unit', entityId: unit.id, summary: `renamed organizational unit to '${unit.name}'` });
    return toUnit(unit);
  }
}
