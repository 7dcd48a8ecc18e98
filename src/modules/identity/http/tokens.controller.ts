import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { BillingExempt, RequestContext, UserOnly } from '../../../platform/tenancy';
import { PersonalTokensService } from '../services/personal-tokens.service';
import { CreatedTokenDto, CreateTokenDto, TokenDto } from './tokens.dto';
import { toToken } from './identity.mappers';

@ApiTags('Settings')
@ApiBearerAuth('bearerAuth')
@UserOnly()
@Controller('settings/tokens')
export class TokensController {
  constructor(private readonly tokens: PersonalTokensService) {}

  @Post()
  @ApiOperation({
    operationId: 'createPersonalAccessToken',
    summary: 'Create a Personal Access Token',
    description: 'The full kbn_pat_… token is returned once, in this response. It acts as the calling user.',
  })
  @ApiCreatedResponse({ type: CreatedTokenDto })
  @ApiErrors(400, 401, 403)
  async create(@Body() body: CreateTokenDto): Promise<CreatedTokenDto> {
    const { pat, token } = await this.tokens.create(RequestContext.principal(), body.name, body.expires_at ? new Date(body.expires_at) : null);
    RequestContext.describe({
      entityType: 'personal_access_token',
      entityId: pat.id,
      summary: `created personal access token '${pat.name}' (${pat.tokenPrefix}…)`,
    });
    return {
      id: pat.id,
      name: pat.name,
      token,
      token_prefix: pat.tokenPrefix,
      created_at: pat.createdAt.toISOString(),
      expires_at: pat.expiresAt ? pat.expiresAt.toISOString() : null,
    };
  }

  @Get()
  @ApiOperation({
    operationId: 'listPersonalAccessTokens',
    summary: 'List Personal Access Tokens',
    description: "The caller's active tokens; token values are never included.",
  })
  @ApiOkResponse({ type: [TokenDto] })
  @ApiErrors(401, 403)
  async list(): Promise<TokenDto[]> {
    return (await this.tokens.list(RequestContext.principal())).map(toToken);
  }

  @Delete(':id')
  @HttpCode(204)
  @BillingExempt()
  @ApiOperation({
    operationId: 'revokePersonalAccessToken',
    summary: 'Revoke a Personal Access Token',
    description: 'Immediate and irreversible; only your own tokens (others answer 404).',
  })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors(401, 403, 404)
  async revoke(@Param('id') id: string): Promise<void> {
    const pat = await this.tokens.revoke(RequestContext.principal(), id);
    RequestContext.describe({ entityType: 'personal_access_token', entityId: pat.id, summary: `revoked personal access token '${pat.name}'` });
  }
}
