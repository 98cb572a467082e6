import { Body, Controller, HttpCode, Inject, Ip, Optional, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Public } from './auth.decorators';
import { AuthError } from './auth.errors';
import { LOGIN_AUDIT, LoginAudit } from './login-audit';
import { TokenRequestDto, TokenResponseDto } from './dto/token-request.dto';
import { TokenResponse, TokenService } from './token.service';
import { UsersService } from './users.service';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    @Optional() @Inject(LOGIN_AUDIT) private readonly audit?: LoginAudit,
  ) {}

  /** Password grant for the local issuer. One message for every failure, so usernames cannot be probed. */
  @Public()
  @Post('token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Get a bearer token (password grant)', description: 'Public. Send the token as `Authorization: Bearer <token>` on every other route.' })
  @ApiOkResponse({ type: TokenResponseDto, description: 'Token issued' })
  @ApiBadRequestResponse({ description: 'Body is not {username, password}' })
  @ApiUnauthorizedResponse({ description: 'Invalid username or password (same message for both)' })
  async token(@Body() body: TokenRequestDto, @Ip() ip?: string): Promise<TokenResponse> {
    const user = await this.users.verifyPassword(body.username, body.password);
    await this.audit?.loginAttempted({ username: body.username, success: !!user, remoteAddress: ip });
    if (!user) throw new AuthError('invalid-credentials', 'Invalid username or password');
    return this.tokens.issue(user);
  }
}
