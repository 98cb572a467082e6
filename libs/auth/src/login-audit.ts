/**
 * Where the token endpoint and the OpenID provider report each login attempt (and logout).
 * Provided (globally) by @pacs/audit; defined here so auth does not import the audit module that
 * itself uses auth's guards.
 */
export const LOGIN_AUDIT = 'pacs:auth:login-audit';

export interface LoginAttempt {
  username: string;
  success: boolean;
  /** A logout (the OpenID provider's end_session) rather than a login attempt. */
  logout?: boolean;
  remoteAddress?: string;
  reason?: string;
}

export interface LoginAudit {
  /**
   * Resolves once the attempt is durably recorded; the token (or the refusal) is sent after.
   * Rejects when it cannot be: then no token is issued, while a refusal is still sent.
   */
  loginAttempted(attempt: LoginAttempt): Promise<void>;
}
