// An OpenID Connect relying party driven by fetch, as a browser viewer (OHIF) would be: the
// authorization code flow with PKCE (RFC 7636) through a provider's login form, refresh and
// RP-initiated logout. Cookies are kept as a browser keeps them for one site.
import { createHash, randomBytes } from 'node:crypto';

export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  code_challenge_methods_supported?: string[];
}

export interface Tokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
  token_type: string;
}

/** A response with its body read. */
export interface Page {
  status: number;
  headers: Headers;
  body: string;
}

export class OidcClient {
  readonly verifier = randomBytes(32).toString('base64url');
  readonly state = randomBytes(16).toString('base64url');
  /**
   * Another node to send the provider's requests to, as a load balancer would (its origin;
   * X-Forwarded-Host keeps the issuer's): unset, requests go where their URLs point.
   */
  backend: string | undefined;

  constructor(
    readonly discovery: Discovery,
    readonly clientId: string,
    readonly redirectUri: string,
    private readonly cookies = new Map<string, string>(),
  ) {}

  /** The same browser (cookies) coming back to another redirect URI, e.g. the silent-refresh page. */
  to(redirectUri: string): OidcClient {
    return new OidcClient(this.discovery, this.clientId, redirectUri, this.cookies);
  }

  static async discover(issuer: string, clientId: string, redirectUri: string): Promise<OidcClient> {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`);
    if (!res.ok) throw new Error(`discovery at ${issuer}: ${res.status}`);
    return new OidcClient((await res.json()) as Discovery, clientId, redirectUri);
  }

  /** GET or POST without following redirects, with this client's cookies. */
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(this.routed(url, headers), { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair.indexOf('=');
      const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1)];
      if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, headers: res.headers, body: await res.text() };
  }

  /** Follows redirects from `url` until one leaves for the redirect URI (returned) or a page answers. */
  async follow(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ page: Page; url: string }> {
    let page = await this.request(url, init);
    for (let hops = 0; hops < 10 && page.status >= 300 && page.status < 400; hops++) {
      const next = new URL(page.headers.get('location') ?? '', url).href;
      if (next.startsWith(this.redirectUri)) return { page, url: next };
      url = next;
      page = await this.request(url);
    }
    return { page, url };
  }

  /** Starts a login: the authorization request (with PKCE S256); returns the login form. */
  async authorize(scope = 'openid profile email', extra: Record<string, string> = {}): Promise<{ page: Page; url: string }> {
    const challenge = createHash('sha256').update(this.verifier).digest('base64url');
    const params = new URLSearchParams({
      client_id: this.clientId,
      redirect_uri: this.redirectUri,
      response_type: 'code',
      scope,
      state: this.state,
      nonce: randomBytes(8).toString('hex'),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
    return this.follow(`${this.discovery.authorization_endpoint}?${params}`);
  }

  /** Submits the login form at `formUrl`; returns the code when it redirects back, else the page. */
  async submitLogin(formUrl: string, form: Page, username: string, password: string): Promise<{ code?: string; page: Page }> {
    const action = /<form[^>]*action="([^"]+)"/.exec(form.body)?.[1]?.replace(/&amp;/g, '&');
    if (!action) throw new Error(`no login form in ${form.status} ${form.body.slice(0, 300)}`);
    const { page, url } = await this.follow(new URL(action, formUrl).href, { form: { username, password } });
    if (!url.startsWith(this.redirectUri)) return { page };
    const back = new URL(url).searchParams;
    if (back.get('state') !== this.state) throw new Error(`state mismatch in ${url}`);
    if (back.get('error')) throw new Error(`authorization error ${back.get('error')}: ${back.get('error_description')}`);
    return { code: back.get('code') ?? undefined, page };
  }

  /** The token endpoint (public client: no secret, the PKCE verifier instead). */
  async token(params: Record<string, string>): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const res = await fetch(this.routed(this.discovery.token_endpoint, headers), {
      method: 'POST',
      headers,
      body: new URLSearchParams({ client_id: this.clientId, ...params }).toString(),
    });
    return { status: res.status, body: await res.json() };
  }

  private routed(url: string, headers: Record<string, string>): string {
    const target = new URL(url);
    if (!this.backend || target.origin !== new URL(this.discovery.issuer).origin) return url;
    headers['x-forwarded-host'] = target.host;
    headers['x-forwarded-proto'] = target.protocol.slice(0, -1);
    return new URL(target.pathname + target.search, this.backend).href;
  }

  exchange(code: string): Promise<{ status: number; body: any }> {
    return this.token({ grant_type: 'authorization_code', code, redirect_uri: this.redirectUri, code_verifier: this.verifier });
  }

  /** The whole login: authorize, the form, the code, the tokens. */
  async login(username: string, password: string, scope?: string): Promise<Tokens> {
    const { page, url } = await this.authorize(scope);
    const { code, page: after } = await this.submitLogin(url, page, username, password);
    if (!code) throw new Error(`login as ${username} refused: ${after.status} ${after.body.slice(0, 300)}`);
    const { status, body } = await this.exchange(code);
    if (status !== 200) throw new Error(`token endpoint: ${status} ${JSON.stringify(body)}`);
    return body as Tokens;
  }
}
