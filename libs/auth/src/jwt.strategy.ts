import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AuthUser, toAuthUser } from './auth-user';
import { JWT_SECRET } from './jwt-secret';
import { TOKEN_ALGORITHM, TOKEN_ISSUER } from './token.service';

interface TokenClaims {
  sub?: unknown;
  roles?: unknown;
}

/** Verifies local bearer tokens (signature, algorithm, issuer, expiry) into an AuthUser. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(JWT_SECRET) secret: string) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: secret,
      algorithms: [TOKEN_ALGORITHM],
      issuer: TOKEN_ISSUER,
      ignoreExpiration: false,
    });
  }

  validate(claims: TokenClaims): AuthUser | false {
    if (typeof claims.sub !== 'string' || claims.sub === '') return false;
    return toAuthUser(claims.sub, Array.isArray(claims.roles) ? claims.roles : []);
  }
}
