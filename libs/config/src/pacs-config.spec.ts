import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from './config-schema';
import { availableParallelism, hostname } from 'node:os';
import { loadConfig } from './pacs-config';

describe('configuration: trusted reverse proxies', () => {
  it('trusts no proxy by default', () => {
    assert.deepEqual(loadConfig({}).http.trustedProxies, []);
  });

  it('takes addresses, CIDR ranges and range names, comma-separated', () => {
    const { trustedProxies } = loadConfig({ PACS_HTTP_TRUSTED_PROXIES: '10.0.0.5, 10.1.0.0/16,::1,fd00::/8, loopback' }).http;
    assert.deepEqual(trustedProxies, ['10.0.0.5', '10.1.0.0/16', '::1', 'fd00::/8', 'loopback']);
  });

  it('names the setting when an entry is no address', () => {
    for (const bad of ['10.0.0.0/33', 'proxy.example', '10.0.0.1/8/2', '::1/129']) {
      assert.throws(
        () => loadConfig({ PACS_HTTP_TRUSTED_PROXIES: bad }),
        (err: unknown) => err instanceof ConfigError && /PACS_HTTP_TRUSTED_PROXIES/.test(err.message),
        bad,
      );
    }
  });
});

describe('configuration: CORS origins of browser viewers', () => {
  it('allows no other origin by default', () => {
    assert.deepEqual(loadConfig({}).http.corsOrigins, []);
  });

  it('takes origins comma-separated, or * alone for any', () => {
    assert.deepEqual(loadConfig({ PACS_HTTP_CORS_ORIGINS: 'https://viewer.example.org, http://localhost:3000' }).http.corsOrigins, [
      'https://viewer.example.org',
      'http://localhost:3000',
    ]);
    assert.deepEqual(loadConfig({ PACS_HTTP_CORS_ORIGINS: '*' }).http.corsOrigins, ['*']);
  });

  it('names the setting when an entry is not an origin', () => {
    for (const bad of ['viewer.example.org', 'https://viewer.example.org/ohif', 'https://viewer.example.org/', 'ftp://x.example', '*, https://a.example']) {
      assert.throws(
        () => loadConfig({ PACS_HTTP_CORS_ORIGINS: bad }),
        (err: unknown) => err instanceof ConfigError && /PACS_HTTP_CORS_ORIGINS/.test(err.message),
        bad,
      );
    }
  });
});

describe('configuration: HL7 v2 listener', () => {
  it('is off by default, and takes senders as APPLICATION^FACILITY or * alone', () => {
    assert.equal(loadConfig({}).hl7.port, null);
    const hl7 = loadConfig({ PACS_HL7_PORT: '2575', PACS_HL7_ALLOWED_SENDERS: 'RIS^HOSP, ADT^' }).hl7;
    assert.deepEqual([hl7.port, hl7.allowedSenders], [2575, ['RIS^HOSP', 'ADT^']]);
    assert.deepEqual(loadConfig({ PACS_HL7_PORT: '2575', PACS_HL7_ALLOWED_SENDERS: '*' }).hl7.allowedSenders, ['*']);
  });

  it('names the setting for a bad sender list, or a port without senders', () => {
    for (const bad of ['RIS', 'RIS^HOSP^X', '^HOSP', '*, RIS^HOSP', 'R|S^HOSP']) {
      assert.throws(
        () => loadConfig({ PACS_HL7_PORT: '2575', PACS_HL7_ALLOWED_SENDERS: bad }),
        (err: unknown) => err instanceof ConfigError && /PACS_HL7_ALLOWED_SENDERS: expected/.test(err.message),
        bad,
      );
    }
    assert.throws(() => loadConfig({ PACS_HL7_PORT: '2575' }), /PACS_HL7_PORT needs PACS_HL7_ALLOWED_SENDERS/);
  });
});

describe('configuration: job queue and forwarding', () => {
  it('has documented defaults that the environment overrides', () => {
    const { jobs, routing } = loadConfig({});
    assert.deepEqual(jobs, { pollMs: 1000, concurrency: 2, leaseMs: 60_000, retryBaseMs: 10_000, retryMaxMs: 3_600_000, maxAttempts: 20, keepHours: 24 });
    assert.equal(routing.batchSize, 50);
    const changed = loadConfig({ PACS_JOBS_RETRY_BASE_MS: '500', PACS_JOBS_MAX_ATTEMPTS: '3', PACS_ROUTING_BATCH_SIZE: '10' });
    assert.deepEqual([changed.jobs.retryBaseMs, changed.jobs.maxAttempts, changed.routing.batchSize], [500, 3, 10]);
  });

  it('names the setting of a value that is no positive integer', () => {
    assert.throws(() => loadConfig({ PACS_JOBS_LEASE_MS: '0' }), /PACS_JOBS_LEASE_MS/);
    assert.throws(() => loadConfig({ PACS_ROUTING_BATCH_SIZE: 'many' }), /PACS_ROUTING_BATCH_SIZE/);
  });
});

describe('configuration: HTTP deadlines and connection caps', () => {
  it('has deadlines, caps and a STOW-RS limit by default', () => {
    const { http } = loadConfig({});
    assert.deepEqual(
      [http.requestTimeoutMs, http.idleTimeoutMs, http.maxConnections, http.maxConnectionsPerAddress, http.stowBodyLimit],
      [3_600_000, 30_000, 1024, 128, 16 * 1024 ** 3],
    );
  });

  it('names each setting that is not a positive integer', () => {
    const env = { PACS_HTTP_REQUEST_TIMEOUT_MS: '0', PACS_HTTP_IDLE_TIMEOUT_MS: '-1', PACS_HTTP_MAX_CONNECTIONS: 'many', PACS_HTTP_MAX_CONNECTIONS_PER_ADDRESS: '1.5' };
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => err instanceof ConfigError && Object.keys(env).every((name) => err.message.includes(name)),
    );
  });

  it('refuses a STOW-RS limit below the largest instance accepted', () => {
    assert.throws(
      () => loadConfig({ PACS_HTTP_STOW_BODY_LIMIT: '1000', PACS_MAX_INSTANCE_BYTES: '1001' }),
      (err: unknown) => err instanceof ConfigError && /PACS_HTTP_STOW_BODY_LIMIT must be at least PACS_MAX_INSTANCE_BYTES/.test(err.message),
    );
  });
});

describe('configuration: seeded peers', () => {
  const peer = { aeTitle: 'CT1', host: '10.1.2.3', port: 104, services: ['echo', 'store'] };

  it('takes a per-peer host check', () => {
    const [seeded] = loadConfig({ PACS_PEERS: JSON.stringify([{ ...peer, checkHost: true }]) }).peers;
    assert.equal(seeded.checkHost, true);
  });

  it('names PACS_PEERS when checkHost is not true or false', () => {
    assert.throws(
      () => loadConfig({ PACS_PEERS: JSON.stringify([{ ...peer, checkHost: 'yes' }]) }),
      (err: unknown) => err instanceof ConfigError && /PACS_PEERS/.test(err.message),
    );
  });

  it('takes tls true or false for a peer and names PACS_PEERS for anything else', () => {
    const [seeded] = loadConfig({ PACS_PEERS: JSON.stringify([{ ...peer, tls: true }]) }).peers;
    assert.equal(seeded.tls, true);
    assert.throws(
      () => loadConfig({ PACS_PEERS: JSON.stringify([{ ...peer, tls: 'yes' }]) }),
      (err: unknown) => err instanceof ConfigError && /PACS_PEERS.*\[, tls\]/s.test(err.message),
    );
  });

  it('takes moveAssociations 1 to 8 and names PACS_PEERS for anything else', () => {
    const [seeded] = loadConfig({ PACS_PEERS: JSON.stringify([{ ...peer, moveAssociations: 8 }]) }).peers;
    assert.equal(seeded.moveAssociations, 8);
    for (const bad of [0, 9, 2.5, '2']) {
      assert.throws(
        () => loadConfig({ PACS_PEERS: JSON.stringify([{ ...peer, moveAssociations: bad }]) }),
        (err: unknown) => err instanceof ConfigError && /PACS_PEERS.*moveAssociations 1-8/s.test(err.message),
        String(bad),
      );
    }
  });

  it('takes deidentify and deidentifyOnReceive profiles, and names PACS_PEERS for an unknown profile or option', () => {
    const profile = { profile: 'basic', options: ['modified-dates'] };
    const [seeded] = loadConfig({ PACS_PEERS: JSON.stringify([{ ...peer, deidentify: profile, deidentifyOnReceive: { profile: 'basic' } }]) }).peers;
    assert.deepEqual(seeded.deidentify, profile);
    assert.deepEqual(seeded.deidentifyOnReceive, { profile: 'basic' });
    for (const bad of [{ profile: 'full' }, { profile: 'basic', options: ['retain-uids'] }, 'basic', { profile: 'basic', extra: 1 }]) {
      assert.throws(
        () => loadConfig({ PACS_PEERS: JSON.stringify([{ ...peer, deidentify: bad }]) }),
        (err: unknown) => err instanceof ConfigError && /PACS_PEERS.*deidentify.*modified-dates/s.test(err.message),
        JSON.stringify(bad),
      );
    }
  });
});

describe('configuration: minimum free space for stores', () => {
  it('defaults to 1 GiB and takes bytes from PACS_STORAGE_MIN_FREE_BYTES', () => {
    assert.equal(loadConfig({}).ingest.minFreeBytes, 1024 ** 3);
    assert.equal(loadConfig({ PACS_STORAGE_MIN_FREE_BYTES: '5368709120' }).ingest.minFreeBytes, 5 * 1024 ** 3);
  });

  it('names the setting when the value is no positive whole number', () => {
    for (const bad of ['1GB', '-1', '0']) {
      assert.throws(
        () => loadConfig({ PACS_STORAGE_MIN_FREE_BYTES: bad }),
        (err: unknown) => err instanceof ConfigError && /PACS_STORAGE_MIN_FREE_BYTES/.test(err.message),
        bad,
      );
    }
  });
});

describe('configuration: DIMSE connections', () => {
  it('defaults to 64 connections and a 30 s ARTIM, and takes both from the environment', () => {
    const defaults = loadConfig({}).dimse;
    assert.equal(defaults.maxConnections, 64);
    assert.equal(defaults.associationTimeoutMs, 30_000);
    const set = loadConfig({ PACS_DIMSE_MAX_CONNECTIONS: '200', PACS_DIMSE_ASSOCIATION_TIMEOUT_MS: '5000' }).dimse;
    assert.equal(set.maxConnections, 200);
    assert.equal(set.associationTimeoutMs, 5000);
  });

  it('refuses fewer connections than associations, naming both settings', () => {
    assert.throws(
      () => loadConfig({ PACS_DIMSE_MAX_ASSOCIATIONS: '40', PACS_DIMSE_MAX_CONNECTIONS: '39' }),
      (err: unknown) => err instanceof ConfigError && /PACS_DIMSE_MAX_CONNECTIONS must be at least PACS_DIMSE_MAX_ASSOCIATIONS/.test(err.message),
    );
    assert.equal(loadConfig({ PACS_DIMSE_MAX_ASSOCIATIONS: '40', PACS_DIMSE_MAX_CONNECTIONS: '40' }).dimse.maxConnections, 40);
  });

  it('names PACS_DIMSE_ASSOCIATION_TIMEOUT_MS when it is no positive whole number', () => {
    for (const bad of ['0', '-1', '1.5', 'soon']) {
      assert.throws(
        () => loadConfig({ PACS_DIMSE_ASSOCIATION_TIMEOUT_MS: bad }),
        (err: unknown) => err instanceof ConfigError && /PACS_DIMSE_ASSOCIATION_TIMEOUT_MS/.test(err.message),
        bad,
      );
    }
  });
});

describe('configuration: blob storage', () => {
  it('keeps blobs on the filesystem by default', () => {
    const { storage } = loadConfig({});
    assert.equal(storage.backend, 'filesystem');
    assert.deepEqual(storage.s3, { bucket: null, prefix: null, endpoint: null, region: 'us-east-1', forcePathStyle: false });
  });

  it('takes an S3-compatible bucket with its endpoint and addressing', () => {
    const env = { PACS_STORAGE_BACKEND: 's3', PACS_S3_BUCKET: 'pacs', PACS_S3_PREFIX: 'site-a/', PACS_S3_ENDPOINT: 'http://ceph:7480', PACS_S3_REGION: 'eu-west-1', PACS_S3_FORCE_PATH_STYLE: 'true' };
    assert.deepEqual(loadConfig(env).storage, { backend: 's3', s3: { bucket: 'pacs', prefix: 'site-a/', endpoint: 'http://ceph:7480', region: 'eu-west-1', forcePathStyle: true } });
  });

  it('names the missing bucket and an unknown backend', () => {
    assert.throws(() => loadConfig({ PACS_STORAGE_BACKEND: 's3' }), (err: unknown) => err instanceof ConfigError && /PACS_STORAGE_BACKEND=s3 needs PACS_S3_BUCKET/.test(err.message));
    assert.throws(() => loadConfig({ PACS_STORAGE_BACKEND: 'nfs' }), (err: unknown) => err instanceof ConfigError && /PACS_STORAGE_BACKEND/.test(err.message));
  });
});

describe('configuration: workers and node name', () => {
  it('runs one process by default, one per core with auto, and names the node after host and port', () => {
    assert.equal(loadConfig({}).workers, 1);
    assert.equal(loadConfig({ PACS_WORKERS: 'auto' }).workers, availableParallelism());
    assert.equal(loadConfig({ PACS_WORKERS: '3' }).workers, 3);
    assert.equal(loadConfig({ PACS_HTTP_PORT: '9090' }).nodeId, `${hostname()}:9090`);
    assert.equal(loadConfig({ PACS_NODE_ID: 'pacs-a' }).nodeId, 'pacs-a');
  });

  it('names PACS_WORKERS when it is neither auto nor a count', () => {
    for (const bad of ['0', 'many', '1.5']) {
      assert.throws(() => loadConfig({ PACS_WORKERS: bad }), (err: unknown) => err instanceof ConfigError && /PACS_WORKERS: expected auto/.test(err.message), bad);
    }
  });
});

describe('configuration: de-identification secret', () => {
  it('is unset by default (de-identification refused) and takes PACS_DEID_SECRET of 16 characters or more', () => {
    assert.equal(loadConfig({}).deid.secret, null);
    assert.equal(loadConfig({ PACS_DEID_SECRET: 'sixteen-chars-ok' }).deid.secret, 'sixteen-chars-ok');
    assert.throws(() => loadConfig({ PACS_DEID_SECRET: 'short' }), (err: unknown) => err instanceof ConfigError && /PACS_DEID_SECRET/.test(err.message));
  });
});

describe('configuration: the OpenID provider for local users', () => {
  it('is on by default, with short access tokens and a working-shift login', () => {
    assert.deepEqual(loadConfig({}).oidcProvider, { enabled: true, accessTokenTtlSeconds: 300, refreshTokenTtlSeconds: 43200 });
  });

  it('turns off with off (or false), and names the setting for anything else', () => {
    assert.equal(loadConfig({ PACS_OIDC_PROVIDER: 'off' }).oidcProvider.enabled, false);
    assert.equal(loadConfig({ PACS_OIDC_PROVIDER: 'false' }).oidcProvider.enabled, false);
    assert.equal(loadConfig({ PACS_OIDC_PROVIDER: 'on' }).oidcProvider.enabled, true);
    assert.throws(
      () => loadConfig({ PACS_OIDC_PROVIDER: 'maybe', PACS_OIDC_ACCESS_TOKEN_TTL_SECONDS: '0' }),
      (err: unknown) => err instanceof ConfigError && /PACS_OIDC_PROVIDER/.test(err.message) && /PACS_OIDC_ACCESS_TOKEN_TTL_SECONDS/.test(err.message),
    );
  });
});
