import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Provider } from 'oidc-provider';
import { DataSource } from 'typeorm';
import { PacsConfig } from '@pacs/config';
import { PUBLIC_ROUTE_CONFIG } from '../auth.decorators';
import { JwtAuthGuard } from '../jwt-auth.guard';
import { LOGIN_AUDIT, LoginAudit } from '../login-audit';
import { PasswordLogin } from '../password-login';
import { UsersService } from '../users.service';
import { LoginInteraction } from './login-interaction';
import { providerConfiguration, viewerOrigins } from './provider-config';
import { PROVIDER_KEYS, ProviderKeys } from './provider-keys';
import { messagePage } from './provider-pages';

/** Where the provider lives on every origin; its issuer is `<origin>/oidc`. */
export const PROVIDER_PATH = '/oidc';
/** Origins served at once; beyond it the least recently used provider is dropped (rebuilt on demand). */
const MAX_ORIGINS = 16;
const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]{1,64})(\/login)?$/;
/** oidc-provider's userinfo endpoint, which takes only opaque tokens: ours are JWTs for the API. */
const USERINFO = '/me';
/** A host name or address with an optional port: anything else cannot name an issuer. */
const HOST = /^[A-Za-z0-9._-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** What the provider's end_session.success event carries, as far as the audit reads it. */
interface EndedSession {
  oidc: { session?: { accountId?: string } };
  /** The client address Fastify decided (passed on as X-Forwarded-For). */
  ip: string;
}

/** The provider of one origin and its request handler (built once: Koa composes it per call). */
interface OriginProvider {
  provider: Provider;
  handle: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * Serves the OpenID provider (oidc-provider, a Koa application) under /oidc of Fastify. Its
 * issuer is the origin the browser reached (X-Forwarded-* when PACS_HTTP_TRUSTED_PROXIES trusts
 * them, as DICOMweb's retrieve URLs), so it works behind a proxy without a URL setting; one
 * provider per origin, all on the same keys and state (PostgreSQL). Requests are taken before
 * Fastify reads their body and handed to the provider as they are.
 */
@Injectable()
export class OidcProviderHost implements OnModuleInit {
  private readonly logger = new Logger('OidcProvider');
  private readonly providers = new Map<string, Promise<OriginProvider>>();
  private readonly interaction: LoginInteraction;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: PacsConfig,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(PROVIDER_KEYS) private readonly keys: ProviderKeys | null,
    private readonly users: UsersService,
    private readonly guard: JwtAuthGuard,
    login: PasswordLogin,
    @Optional() @Inject(LOGIN_AUDIT) private readonly audit?: LoginAudit,
  ) {
    this.interaction = new LoginInteraction(login);
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!this.keys || !fastify?.route) return;
    fastify.route({
      method: ['GET', 'HEAD', 'POST', 'OPTIONS'],
      url: `${PROVIDER_PATH}/*`,
      config: { [PUBLIC_ROUTE_CONFIG]: true },
      // Before the body is parsed: the provider reads form bodies itself.
      onRequest: (request, reply, done) => {
        reply.hijack();
        this.serve(request, reply).catch((err: Error) => this.failed(reply, err));
        done();
      },
      handler: async () => undefined,
    });
  }

  private async serve(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const req = request.raw as IncomingMessage & { originalUrl?: string };
    const res = reply.raw;
    if (!HOST.test(request.host ?? '')) {
      return void res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(messagePage('Bad request', 'The request names no valid host.'));
    }
    const origin = `${request.protocol}://${request.host}`;
    const { provider, handle } = await this.providerFor(origin);
    const path = (req.url ?? '/').slice(PROVIDER_PATH.length) || '/';
    const pathname = path.split('?')[0];
    const interaction = INTERACTION.exec(pathname);
    if (interaction) return this.interaction.handle(provider, req, res, interaction[1], request.ip);
    if (pathname === USERINFO && req.method !== 'OPTIONS') return this.userinfo(request, reply, origin);
    // Koa sees the origin and address Fastify decided, whatever a client wrote in X-Forwarded-*.
    req.headers['x-forwarded-proto'] = request.protocol;
    req.headers['x-forwarded-host'] = request.host;
    req.headers['x-forwarded-for'] = request.ip;
    // Mounted as Express would: the provider finds its mount path from originalUrl.
    req.originalUrl = req.url;
    req.url = path;
    handle(req, res);
  }

  /**
   * UserInfo (OpenID Connect Core 5.3) for our access tokens, which some viewers ask for after
   * the login (oidc-client's loadUserInfo): the claims of the ID token, for a token the guard accepts.
   */
  private async userinfo(request: FastifyRequest, reply: FastifyReply, origin: string): Promise<void> {
    const res = reply.raw;
    const from = request.headers.origin;
    if (from && (this.config.http.corsOrigins.includes('*') || viewerOrigins(origin, this.config.http.corsOrigins).includes(from))) {
      res.setHeader('access-control-allow-origin', from);
      res.setHeader('vary', 'Origin');
    }
    res.setHeader('cache-control', 'no-store');
    try {
      await this.guard.authenticate(request, reply);
    } catch {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' });
      return void res.end(JSON.stringify({ error: 'invalid_token', error_description: 'the access token is invalid or expired' }));
    }
    const { username } = (request as FastifyRequest & { user: { username: string } }).user;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sub: username, preferred_username: username, name: username }));
  }

  private providerFor(origin: string): Promise<OriginProvider> {
    let provider = this.providers.get(origin);
    if (provider) {
      this.providers.delete(origin);
    } else {
      provider = this.create(origin);
      provider.catch(() => this.providers.delete(origin));
    }
    this.providers.set(origin, provider);
    if (this.providers.size > MAX_ORIGINS) this.providers.delete(this.providers.keys().next().value as string);
    return provider;
  }

  private async create(origin: string): Promise<OriginProvider> {
    // Loaded on first use: an ESM package (require(esm)), and only when the provider is on.
    const { Provider } = await import('oidc-provider');
    const provider = new Provider(`${origin}${PROVIDER_PATH}`, providerConfiguration(origin, {
      config: this.config,
      keys: this.keys as ProviderKeys,
      db: this.db,
      userActive: async (username) => (await this.users.findByUsername(username))?.disabled === false,
    }));
    provider.proxy = true;
    provider.on('server_error', (_ctx, err) => this.logger.error({ msg: 'OpenID provider error', err: (err as Error)?.stack }));
    provider.on('end_session.success', (ctx) => this.loggedOut(ctx as EndedSession));
    return { provider, handle: provider.callback() };
  }

  /** A logout is audited as the login was (User Authentication, Logout); the user is out either way. */
  private loggedOut(ctx: EndedSession): void {
    const username = ctx.oidc.session?.accountId;
    if (!username) return;
    this.audit?.loginAttempted({ username, success: true, logout: true, remoteAddress: ctx.ip }).catch((err: Error) => {
      this.logger.error({ msg: 'logout not audited', username, err: err.message });
    });
  }

  private failed(reply: FastifyReply, err: Error): void {
    this.logger.error({ msg: 'OpenID provider request failed', err: err.stack });
    const res: ServerResponse = reply.raw;
    if (res.headersSent) return void res.destroy();
    res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' }).end(messagePage('Server error', 'The sign-in could not be completed.'));
  }
}
