import { Body, Controller, HttpCode, Inject, Logger, Optional, Post, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from './auth.decorators';
import { AuthError } from './auth.errors';
import { LOGIN_AUDIT, LoginAudit } from './login-audit';
import { TokenRequestDto, TokenResponseDto } from './dto/token-request.dto';
import { LoginThrottle } from './login-throttle';
import { TokenResponse, TokenService } from './token.service';
import { UsersService } from './users.service';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
    @Optional() @Inject(LOGIN_AUDIT) private readonly audit?: LoginAudit,
  ) {}

  /**
   * Password grant for the local issuer. One message for every failure, so usernames cannot be
   * probed; failures are limited per username and per client address (429 with Retry-After).
   */
  @Public()
  @Post('token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Get a bearer token (password grant)', description: 'Public. Send the token as `Authorization: Bearer <token>` on every other route.' })
  @ApiOkResponse({ type: TokenResponseDto, description: 'Token issued' })
  @ApiBadRequestResponse({ description: 'Body is not {username, password}' })
  @ApiUnauthorizedResponse({ description: 'Invalid username or password (same message for both)' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed logins for this user or from this address; see Retry-After' })
  async token(
    @Body() body: TokenRequestDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    const address = req.ip;
    const wait = this.throttle.retryAfter(body.username, address);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      this.logger.warn({ msg: 'login throttled', username: body.username, remoteAddress: address, retryAfter: wait });
      throw new AuthError('too-many-attempts', `Too many failed logins; retry in ${wait} s`);
    }
    const user = await this.users.verifyPassword(body.username, body.password);
    await this.audit?.loginAttempted({ username: body.username, success: !!user, remoteAddress: address });
    if (!user) {
      this.throttle.recordFailure(body.username, address);
      this.logger.warn({ msg: 'login failed', username: body.username, remoteAddress: address });
      throw new AuthError('invalid-credentials', 'Invalid username or password');
    }
    this.throttle.recordSuccess(body.username);
    return this.tokens.issue(user);
  }
}
