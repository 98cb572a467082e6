import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PacsConfig } from '@pacs/config';

/** Injection token of the HS256 secret (a string). */
export const JWT_SECRET = Symbol('JWT_SECRET');

/**
 * PACS_JWT_SECRET when set; otherwise a random secret kept in <dataDir>/jwt-secret (0600) so
 * tokens survive restarts. Nodes that share no data directory must set PACS_JWT_SECRET.
 */
export function resolveJwtSecret(config: Pick<PacsConfig, 'auth' | 'dataDir'>): string {
  if (config.auth.jwtSecret) return config.auth.jwtSecret;
  const file = join(config.dataDir, 'jwt-secret');
  mkdirSync(config.dataDir, { recursive: true });
  try {
    // 'wx': if another process created it first, we read theirs below.
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 16) throw new Error(`${file} holds no usable JWT secret; delete it to generate a new one`);
  return secret;
}

export const jwtSecretProvider = { provide: JWT_SECRET, useFactory: resolveJwtSecret, inject: [PacsConfig] };
