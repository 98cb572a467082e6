// A stand-in OpenID Connect issuer for the tests: generated RSA and EC keys (jose), a JWKS
// served over real HTTP on a free loopback port, and a signer for tokens with chosen claims.
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CryptoKey, exportJWK, generateKeyPair, JWK, SignJWT } from 'jose';

export interface IssuerKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  jwk: JWK;
}

export interface TestIssuer {
  issuer: string;
  jwksUrl: string;
  audience: string;
  /** How many times the JWKS was fetched. */
  fetches(): number;
  /** Replaces the published key set (key rotation). */
  publish(keys: IssuerKey[]): void;
  sign(key: IssuerKey, claims: Record<string, unknown>, opts?: { expiresIn?: string | number; issuer?: string; audience?: string; kid?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function newKey(kid: string, alg: 'RS256' | 'ES256'): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, jwk };
}

/** Starts the JWKS endpoint publishing `keys`. */
export async function startTestIssuer(keys: IssuerKey[], audience = 'pacs-api'): Promise<TestIssuer> {
  let published = keys;
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/jwks') {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/realms/test`;
  return {
    issuer,
    jwksUrl: `${base}/jwks`,
    audience,
    fetches: () => fetches,
    publish: (next) => (published = next),
    sign: (key, claims, opts = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: key.alg, kid: opts.kid ?? key.kid, typ: 'JWT' })
        .setIssuer(opts.issuer ?? issuer)
        .setAudience(opts.audience ?? audience)
        .setIssuedAt()
        .setExpirationTime(opts.expiresIn ?? '5m')
        .sign(key.privateKey),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An unsigned token (`alg: none`, RFC 7519 6.1) with the given claims. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}
