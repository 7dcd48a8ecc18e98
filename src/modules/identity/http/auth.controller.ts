import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { ApiErrors, Public } from '../../../platform/http';
import { RequestContext, UserOnly } from '../../../platform/tenancy';
import { AuthService } from '../services/auth.service';
import { MembersService } from '../services/members.service';
import { AccessTokenDto, CleanupResultDto, CurrentUserDto, LoginDto } from './auth.dto';

/** Cookies earlier sign-in flows left behind. */
const LEGACY_COOKIES = ['token', 'jwt', 'session', 'sessionid', 'connect.sid', 'auth', 'auth_token', 'access_token', 'refresh_token', 'leadvibe_session'];

@ApiTags('Auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly members: MembersService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'login',
    summary: 'Log in with email and password',
    description: 'Returns a JWT access token for the Authorization: Bearer header. Wrong email or password → 401.',
  })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiErrors(400, 401, 429)
  async login(@Body() body: LoginDto): Promise<AccessTokenDto> {
    const { access_token, token_type, expires_in } = await this.auth.login(body.email, body.password);
    return { access_token, token_type, expires_in };
  }

  @Get('me')
  @UserOnly()
  @ApiBearerAuth('bearerAuth')
  @ApiOperation({
    operationId: 'getCurrentUser',
    summary: 'Current user',
    description: "The authenticated user's basic profile (JWT or personal access token).",
  })
  @ApiOkResponse({ type: CurrentUserDto })
  @ApiErrors(401, 403)
  async me(): Promise<CurrentUserDto> {
    const m = await this.members.get(RequestContext.principal().memberId!);
    return { org_member_id: m.id, first_name: m.firstName, last_name: m.lastName, email: m.email, role: m.role, verified: m.verified };
  }

  @Post('cleanup')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'cleanupLegacyAuthCookies',
    summary: 'Cleanup legacy auth cookies',
    description: 'Expires any residual cookies from previous auth flows. Needs no credential.',
  })
  @ApiOkResponse({ type: CleanupResultDto })
  cleanup(@Req() req: Request, @Res({ passthrough: true }) res: Response): CleanupResultDto {
    const present = Object.keys(req.cookies ?? {});
    const cleared = LEGACY_COOKIES.filter((c) => present.includes(c));
    for (const c of cleared) res.clearCookie(c, { path: '/' });
    return { status: 'ok', cleared };
  }
}
