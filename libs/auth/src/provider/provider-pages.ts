import type { KoaContextWithOIDC } from 'oidc-provider';

/** Scripts, frames, other origins' content: none on these pages. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

const STYLE = `body{font-family:system-ui,sans-serif;background:#0b1a2b;color:#e8eef5;display:flex;justify-content:center;margin-top:10vh}
main{background:#13283f;padding:2em 2.5em;border-radius:6px;min-width:18em}h1{font-size:1.3em;font-weight:500}
label{display:block;margin:.8em 0 .2em}input{width:100%;box-sizing:border-box;padding:.45em;font-size:1em}
button{margin-top:1.2em;width:100%;padding:.55em;font-size:1em;cursor:pointer}.error{color:#ff9b9b}`;

/** Text for HTML (element content and quoted attribute values). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>
`;
}

/**
 * The sign-in form of the OpenID provider: plain HTML, inputs `username` and `password`, button
 * `#login`, posted to the interaction; `message` says why the last attempt failed.
 */
export function loginPage(uid: string, options: { username?: string; message?: string } = {}): string {
  const error = options.message ? `<p class="error" role="alert">${escapeHtml(options.message)}</p>` : '';
  return page(
    'Sign in - PACS',
    `<h1>Sign in to the PACS</h1>${error}
<form method="post" action="/oidc/interaction/${encodeURIComponent(uid)}/login">
<label for="username">User name</label><input id="username" name="username" autocomplete="username" required autofocus value="${escapeHtml(options.username ?? '')}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" id="login">Sign in</button>
</form>`,
  );
}

/** A page for a request the provider refuses (expired login, unknown client, bad redirect URI). */
export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

/** oidc-provider's renderError: the error and its description, never a stack. */
export async function errorPage(ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }): Promise<void> {
  ctx.type = 'html';
  ctx.body = messagePage('Sign-in failed', `${out.error ?? 'error'}: ${out.error_description ?? ''}`.trim());
}

/** Shown after logout when the viewer named no post_logout_redirect_uri. */
export async function signedOutPage(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body = messagePage('Signed out', 'You are signed out of the PACS.');
}

/** RP-initiated logout asks the user first (OpenID Connect RP-Initiated Logout 1.0, 2); `form` is the provider's. */
export async function logoutPage(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  ctx.type = 'html';
  ctx.body = page(
    'Sign out - PACS',
    `<h1>Sign out of the PACS?</h1>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" id="logout" autofocus>Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button>`,
  );
}
