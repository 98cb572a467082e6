import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import type { Provider } from 'oidc-provider';
import { DomainError, httpStatusOf } from '@pacs/errors';
import { LoginThrottled, PasswordLogin } from '../password-login';
import { loginPage, messagePage, PAGE_CSP } from './provider-pages';

/** A login form is two short fields: anything longer is not one. */
const MAX_FORM_BYTES = 8 * 1024;

/**
 * The provider's login step (OpenID Connect Core 3.1.2.3): GET shows the form, POST checks the
 * password through PasswordLogin (the throttle and audit of POST /api/auth/token) and, when it is
 * right, finishes the interaction so that the provider redirects back to the viewer with a code.
 * A failure shows the form again with the reason, with the status the token endpoint would give.
 */
export class LoginInteraction {
  private readonly logger = new Logger('OidcProvider');

  constructor(private readonly login: PasswordLogin) {}

  async handle(provider: Provider, req: IncomingMessage, res: ServerResponse, uid: string, address: string): Promise<void> {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      return send(res, 400, messagePage('Sign-in expired', 'This sign-in page is no longer valid. Go back to the viewer and sign in again.'));
    }
    if (details.uid !== uid) return send(res, 400, messagePage('Sign-in expired', 'This sign-in page is no longer valid. Go back to the viewer and sign in again.'));
    if (req.method === 'GET' || req.method === 'HEAD') return send(res, 200, loginPage(uid));
    if (req.method !== 'POST') return send(res, 405, messagePage('Not allowed', 'Use the sign-in form.'));
    const form = await readForm(req);
    if (!form) return send(res, 400, loginPage(uid, { message: 'The form could not be read; please try again.' }));
    const username = form.get('username') ?? '';
    try {
      const user = await this.login.attempt(username, form.get('password') ?? '', address);
      await provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err instanceof LoginThrottled) res.setHeader('retry-after', String(err.retryAfter));
      this.logger.warn({ msg: 'provider login refused', code: err.code, remoteAddress: address });
      send(res, httpStatusOf(err.code), loginPage(uid, { username, message: err.message }));
    }
  }
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': PAGE_CSP,
    'x-content-type-options': 'nosniff',
  });
  res.end(html);
}

/** The urlencoded form (HTML 4.10.21.7), or null when it is not one or is too long. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
  if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) return null;
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req) {
    length += (chunk as Buffer).length;
    if (length > MAX_FORM_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
