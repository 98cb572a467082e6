import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActiveUserCache } from './active-user-cache';
import { AuthController } from './auth.controller';
import { BodyAuthHook } from './body-auth.hook';
import { JwtAuthGuard } from './jwt-auth.guard';
import { jwtSecretProvider } from './jwt-secret';
import { JwtStrategy } from './jwt.strategy';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { PasswordLogin } from './password-login';
import { PermissionGuard } from './permission.guard';
import { OidcProviderHost } from './provider/oidc-provider.host';
import { providerKeysProvider } from './provider/provider-keys';
import { TokenService } from './token.service';
import { UserEntity } from './user.entity';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/**
 * Users, the local JWT issuer, the OpenID provider for local users (/oidc), the passport JWT
 * strategy (local, own provider's and external OpenID Connect tokens) and the two global guards
 * (token, then permission).
 * Needs only the global PacsConfig (ConfigModule) and the TypeORM connection (DatabaseModule).
 */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), PassportModule, JwtModule.register({})],
  controllers: [AuthController, UsersController],
  providers: [
    jwtSecretProvider,
    PasswordHasher,
    UsersRepository,
    UsersService,
    TokenService,
    ActiveUserCache,
    JwtStrategy,
    LoginThrottle,
    PasswordLogin,
    providerKeysProvider,
    OidcProviderHost,
    JwtAuthGuard,
    BodyAuthHook,
    // Order matters: the token guard puts the user on the request before permissions are checked.
    { provide: APP_GUARD, useExisting: JwtAuthGuard },
    { provide: APP_GUARD, useClass: PermissionGuard },
  ],
  exports: [UsersService],
})
export class AuthModule {}
