import { Body, Controller, HttpCode, Inject, Logger, Optional, Post, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isStorableText } from '@pacs/database';
import { DomainError } from '@pacs/errors';
import { Audited } from './audited.decorator';
import { Public } from './auth.decorators';
import { LOGIN_AUDIT, LoginAttempt, LoginAudit } from './login-audit';
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
   * Each attempt is audited before it is answered: a token only once its event is durable; a
   * refusal is sent even when its event cannot be written (logged), so an audit failure never
   * turns a 400 or 401 into a 500.
   */
  @Public()
  @Post('token')
  @Audited('user-authentication', 'E', { recordedByHandler: true })
  @HttpCode(200)
  @ApiOperation({ summary: 'Get a bearer token (password grant)', description: 'Public. Send the token as `Authorization: Bearer <token>` on every other route.' })
  @ApiOkResponse({ type: TokenResponseDto, description: 'Token issued' })
  @ApiBadRequestResponse({ description: 'Body is not {username, password}, or the username holds NUL or an unpaired surrogate' })
  @ApiUnauthorizedResponse({ description: 'Invalid username or password (same message for both)' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed logins for this user or from this address; see Retry-After' })
  async token(
    @Body() body: TokenRequestDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    const address = req.ip;
    // No user name holds such text (USERNAME_PATTERN), so there is no password to guess: not
    // throttled, no hash checked. The attempt is audited in its stored (escaped) form.
    if (!isStorableText(body.username)) {
      this.logger.warn({ msg: 'login refused: user name holds NUL or an unpaired surrogate', remoteAddress: address });
      await this.refusalAudited({ username: body.username, success: false, remoteAddress: address, reason: 'username holds NUL or an unpaired surrogate' });
      throw new DomainError('invalid-user', 'username must not contain NUL or unpaired surrogate characters');
    }
    const wait = this.throttle.retryAfter(body.username, address);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      this.logger.warn({ msg: 'login throttled', username: body.username, remoteAddress: address, retryAfter: wait });
      throw new DomainError('too-many-attempts', `Too many failed logins; retry in ${wait} s`);
    }
    const user = await this.users.verifyPassword(body.username, body.password);
    if (!user) {
      this.throttle.recordFailure(body.username, address);
      this.logger.warn({ msg: 'login failed', username: body.username, remoteAddress: address });
      await this.refusalAudited({ username: body.username, success: false, remoteAddress: address });
      throw new DomainError('invalid-credentials', 'Invalid username or password');
    }
    try {
      await this.audit?.loginAttempted({ username: body.username, success: true, remoteAddress: address });
    } catch (err) {
      this.logger.error({ msg: 'login not audited: no token issued', username: body.username, remoteAddress: address, err: String(err) });
      throw new DomainError('audit-unavailable', 'the login could not be audited; no token was issued');
    }
    this.throttle.recordSuccess(body.username);
    return this.tokens.issue(user);
  }

  /** Audits a refused attempt; if the event cannot be written, the refusal still goes out (logged). */
  private async refusalAudited(attempt: LoginAttempt): Promise<void> {
    try {
      await this.audit?.loginAttempted(attempt);
    } catch (err) {
      this.logger.error({ msg: 'refused login not audited', remoteAddress: attempt.remoteAddress, reason: attempt.reason, err: String(err) });
    }
  }
}
