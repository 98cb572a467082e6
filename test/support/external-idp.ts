// Starts the hospital IdP of external-idp-main.ts as a separate process (its own keys, users and
// state) and tells how to point a PACS at it (PACS_OIDC_ISSUER / JWKS_URL / AUDIENCE).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { trackChild } from './child-registry';
import type { ExternalIdpSettings } from './external-idp-main';

export interface ExternalIdp {
  issuer: string;
  jwksUrl: string;
  audience: string;
  clientId: string;
  /** The settings that make a PACS accept this IdP's access tokens. */
  pacsEnv: Record<string, string>;
  stop(): Promise<void>;
}

const READY = /listening (\d+)/;

/**
 * An IdP with user `radiologist` / `hospital-pass-1` (role radiologist) unless `users` says
 * otherwise, and one public client (`clientId`, default `ohif`) allowed to come back to
 * `redirectUris`.
 */
export async function startExternalIdp(options: Partial<ExternalIdpSettings> & { redirectUris: string[] }): Promise<ExternalIdp> {
  const settings: ExternalIdpSettings = {
    clientId: 'ohif',
    audience: 'pacs-api',
    postLogoutRedirectUris: [],
    users: [{ username: 'radiologist', password: 'hospital-pass-1', roles: ['radiologist'] }],
    accessTokenTtlSeconds: 300,
    ...options,
  };
  const child = spawn(process.execPath, [join(__dirname, 'external-idp-main.js')], {
    env: { PATH: process.env.PATH, EXTERNAL_IDP: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = READY.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`external IdP exited (${code}): ${output}`)));
  });
  const issuer = `http://127.0.0.1:${port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    audience: settings.audience,
    clientId: settings.clientId,
    pacsEnv: { PACS_OIDC_ISSUER: issuer, PACS_OIDC_JWKS_URL: `${issuer}/jwks`, PACS_OIDC_AUDIENCE: settings.audience },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
