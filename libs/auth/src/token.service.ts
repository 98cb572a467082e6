import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { PacsConfig } from '@pacs/config';
import { isRole } from './permissions';
import { JWT_SECRET } from './jwt-secret';
import { UserEntity } from './user.entity';

export const TOKEN_ISSUER = 'pacs';
export const TOKEN_ALGORITHM = 'HS256';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** Local issuer: signs HS256 tokens with `sub`, `roles`, `iss` and `exp`. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: PacsConfig,
    @Inject(JWT_SECRET) private readonly secret: string,
  ) {}

  async issue(user: UserEntity): Promise<TokenResponse> {
    const expiresIn = this.config.auth.tokenTtlSeconds;
    const accessToken = await this.jwt.signAsync(
      { roles: user.roles.filter(isRole) },
      { secret: this.secret, algorithm: TOKEN_ALGORITHM, issuer: TOKEN_ISSUER, subject: user.username, expiresIn },
    );
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn };
  }
}
