import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { isStorableText } from '@pacs/database';
import { DomainError } from '@pacs/errors';
import { LOGIN_AUDIT, LoginAttempt, LoginAudit } from './login-audit';
import { LoginThrottle } from './login-throttle';
import { UserEntity } from './user.entity';
import { UsersService } from './users.service';

/** Too many failed logins: the refusal, with the seconds to wait (Retry-After). */
export class LoginThrottled extends DomainError<'too-many-attempts'> {
  constructor(readonly retryAfter: number) {
    super('too-many-attempts', `Too many failed logins; retry in ${retryAfter} s`);
  }
}

/**
 * One password login, for every way in (POST /api/auth/token, the OpenID provider's login form):
 * the same throttle counters and the same audit events. One message for every failure, so user
 * names cannot be probed. Each attempt is audited before it is answered: a success only once its
 * event is durable; a refusal is sent even when its event cannot be written (logged), so an
 * audit failure never turns a 400 or 401 into a 500.
 */
@Injectable()
export class PasswordLogin {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly users: UsersService,
    private readonly throttle: LoginThrottle,
    @Optional() @Inject(LOGIN_AUDIT) private readonly audit?: LoginAudit,
  ) {}

  /**
   * The user when the password is right; throws DomainError 'invalid-user', 'invalid-credentials',
   * 'audit-unavailable' or LoginThrottled.
   */
  async attempt(username: string, password: string, address: string): Promise<UserEntity> {
    // No user name holds such text (USERNAME_PATTERN), so there is no password to guess: not
    // throttled, no hash checked. The attempt is audited in its stored (escaped) form.
    if (!isStorableText(username)) {
      this.logger.warn({ msg: 'login refused: user name holds NUL or an unpaired surrogate', remoteAddress: address });
      await this.refusalAudited({ username, success: false, remoteAddress: address, reason: 'username holds NUL or an unpaired surrogate' });
      throw new DomainError('invalid-user', 'username must not contain NUL or unpaired surrogate characters');
    }
    const wait = this.throttle.retryAfter(username, address);
    if (wait > 0) {
      this.logger.warn({ msg: 'login throttled', username, remoteAddress: address, retryAfter: wait });
      throw new LoginThrottled(wait);
    }
    const user = await this.users.verifyPassword(username, password);
    if (!user) {
      this.throttle.recordFailure(username, address);
      this.logger.warn({ msg: 'login failed', username, remoteAddress: address });
      await this.refusalAudited({ username, success: false, remoteAddress: address });
      throw new DomainError('invalid-credentials', 'Invalid username or password');
    }
    try {
      await this.audit?.loginAttempted({ username, success: true, remoteAddress: address });
    } catch (err) {
      this.logger.error({ msg: 'login not audited: no token issued', username, remoteAddress: address, err: String(err) });
      throw new DomainError('audit-unavailable', 'the login could not be audited; no token was issued');
    }
    this.throttle.recordSuccess(username);
    return user;
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
