import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Audited } from './audited.decorator';
import { Public } from './auth.decorators';
import { TokenRequestDto, TokenResponseDto } from './dto/token-request.dto';
import { LoginThrottled, PasswordLogin } from './password-login';
import { TokenResponse, TokenService } from './token.service';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly login: PasswordLogin,
    private readonly tokens: TokenService,
  ) {}

  /**
   * Password grant for the local issuer (PasswordLogin: one message for every failure, failures
   * limited per username and per client address, 429 with Retry-After; every attempt audited).
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
    try {
      return await this.tokens.issue(await this.login.attempt(body.username, body.password, req.ip));
    } catch (err) {
      if (err instanceof LoginThrottled) reply.header('retry-after', String(err.retryAfter));
      throw err;
    }
  }
}
