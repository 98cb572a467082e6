import { Injectable } from '@nestjs/common';
import type { LoginAudit, LoginAttempt } from '@pacs/auth';
import { AuditAction, AuditEventType, AuditOutcome } from './audit-codes';
import { AuditService } from './audit.service';

/**
 * Login success and failure (token endpoint, OpenID provider's form), and the provider's logouts:
 * User Authentication (PS3.15 A.5.3.11), event type Login or Logout.
 */
@Injectable()
export class LoginAuditor implements LoginAudit {
  constructor(private readonly audit: AuditService) {}

  async loginAttempted(attempt: LoginAttempt): Promise<void> {
    await this.audit.record({
      actor: attempt.username,
      actorType: 'user',
      sourceAddress: attempt.remoteAddress ?? null,
      action: AuditAction.UserAuthentication,
      actionCode: 'E',
      outcome: attempt.success ? AuditOutcome.Success : AuditOutcome.MinorFailure,
      details: { eventType: attempt.logout ? AuditEventType.Logout : AuditEventType.Login, ...(attempt.reason ? { reason: attempt.reason } : {}) },
    });
  }
}
