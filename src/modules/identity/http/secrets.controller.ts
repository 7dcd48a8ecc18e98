import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { actorLabel, BillingExempt, RequestContext, RequireOrgAdmin } from '../../../platform/tenancy';
import { ServiceAccountsService } from '../services/service-accounts.service';
import { CreatedSecretDto, CreateSecretDto, SecretDto } from './secrets.dto';
import { toSecret } from './identity.mappers';

/** Service-account credentials of the organization (org admins). */
@ApiTags('Secrets')
@ApiBearerAuth('bearerAuth')
@RequireOrgAdmin()
@Controller('secrets')
export class SecretsController {
  constructor(private readonly accounts: ServiceAccountsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listSecrets',
    summary: 'List API credentials',
    description: 'Service accounts of the organization; secrets are never shown again.',
  })
  @ApiOkResponse({ type: [SecretDto] })
  @ApiErrors(401, 403)
  async list(): Promise<SecretDto[]> {
    return (await this.accounts.list(RequestContext.orgId())).map(toSecret);
  }

  @Post()
  @ApiOperation({
    operationId: 'createSecret',
    summary: 'Create API credential pair',
    description: 'client_secret is returned once, in this response; only a keyed hash is stored.',
  })
  @ApiCreatedResponse({ type: CreatedSecretDto })
  @ApiErrors(400, 401, 403)
  async create(@Body() body: CreateSecretDto): Promise<CreatedSecretDto> {
    const p = RequestContext.principal();
    const { account, clientSecret } = await this.accounts.create(p.orgId, body.name, actorLabel(p));
    RequestContext.describe({ entityType: 'service_account', entityId: account.id, summary: `created API credential '${account.name}' (${account.clientId})` });
    return { secret_id: account.id, client_id: account.clientId, client_secret: clientSecret, name: account.name, created_at: account.createdAt.toISOString() };
  }

  @Delete(':id')
  @HttpCode(204)
  @BillingExempt()
  @ApiOperation({ operationId: 'deleteSecret', summary: 'Delete API credential', description: 'Takes effect on the next request.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async remove(@Param('id') id: string): Promise<void> {
    const account = await this.accounts.remove(RequestContext.orgId(), id);
    RequestContext.describe({ entityType: 'service_account', entityId: account.id, summary: `deleted API credential '${account.name}' (${account.clientId})` });
  }
}
