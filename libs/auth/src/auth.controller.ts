import { Body, Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import { Public } from './auth.decorators';
import { AuthError, AuthErrorFilter, authValidationPipe } from './auth.errors';
import { TokenRequestDto } from './dto/token-request.dto';
import { TokenResponse, TokenService } from './token.service';
import { UsersService } from './users.service';

@Controller('api/auth')
@UseFilters(AuthErrorFilter)
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
  ) {}

  /** Password grant for the local issuer. One message for every failure, so usernames cannot be probed. */
  @Public()
  @Post('token')
  @HttpCode(200)
  async token(@Body(authValidationPipe()) body: TokenRequestDto): Promise<TokenResponse> {
    const user = await this.users.verifyPassword(body.username, body.password);
    if (!user) throw new AuthError('invalid-credentials', 'Invalid username or password');
    return this.tokens.issue(user);
  }
}
