import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, DeidProfileSetting, DIMSE_SERVICES, findConfigFile, readValue, Setting } from './config-schema';

export type DuplicatePolicy = 'overwrite' | 'keep' | 'reject';
export type DimseService = (typeof DIMSE_SERVICES)[number];

export interface PeerSeed {
  aeTitle: string;
  host: string;
  port: number;
  services: DimseService[];
  /** Host check for this peer alone (see PACS_DIMSE_CHECK_HOST). */
  checkHost?: boolean;
  /** Associations a C-MOVE to this peer opens at once (1 to MAX_MOVE_ASSOCIATIONS; default 1). */
  moveAssociations?: number;
  /** Our associations to this peer (C-MOVE, Storage Commitment results) over TLS (PS3.15 B.1). */
  tls?: boolean;
  /** What a C-MOVE sends to this peer is a de-identified copy (PS3.15 E.1). */
  deidentify?: DeidProfileSetting | null;
  /** What this peer sends is de-identified before it is stored. */
  deidentifyOnReceive?: DeidProfileSetting | null;
}

/** The whole server configuration, validated once at boot (see config/default.yaml). */
export class PacsConfig {
  http: {
    port: number;
    host: string;
    bodyLimit: number;
    /** Largest multipart/related STOW-RS request (many instances), by declared or counted length. */
    stowBodyLimit: number;
    trustedProxies: string[];
    /** Origins of browser viewers served elsewhere that may call the API (CORS); empty: none. */
    corsOrigins: string[];
    /** Time a client has to send a whole request, headers and body. */
    requestTimeoutMs: number;
    /** Time a request may stay without receiving a byte before it is answered 408. */
    idleTimeoutMs: number;
    /** TCP connections held at once, and per client address. */
    maxConnections: number;
    maxConnectionsPerAddress: number;
  };
  dimse: {
    port: number;
    aeTitle: string;
    allowUnknown: boolean;
    maxAssociations: number;
    /** TCP connections held at once per DIMSE listener, associated or not. */
    maxConnections: number;
    /** ARTIM (PS3.8 9.1.5): how long a connection may stay without an association. */
    associationTimeoutMs: number;
    pduTimeoutMs: number;
    /** First wait before a Storage Commitment result is sent again; doubles per attempt, at most an hour. */
    commitmentRetryDelayMs: number;
    /** How long after the request an undelivered Storage Commitment result is still tried. */
    commitmentRetryHours: number;
  };
  dataDir: string;
  /** This process among several on one database: in logs, /metrics labels and the audit source. */
  nodeId: string;
  /** Server processes sharing the HTTP and DICOM ports (PACS_WORKERS; `auto`: one per core). */
  workers: number;
  /** Where instance bytes live: files under dataDir, or objects in an S3-compatible bucket. */
  storage: {
    backend: 'filesystem' | 's3';
    s3: { bucket: string | null; prefix: string | null; endpoint: string | null; region: string; forcePathStyle: boolean };
  };
  database: { url: string | null; embeddedPort: number };
  auth: { adminPassword: string | null; jwtSecret: string | null; tokenTtlSeconds: number };
  ingest: { duplicatePolicy: DuplicatePolicy; maxInstanceBytes: number; minFreeBytes: number };
  /** IHE IOCM: how long rejected instances stay restorable (days, fractions allowed), how often expiry runs. */
  rejection: { retentionDays: number; sweepSeconds: number };
  log: { level: string };
  peers: PeerSeed[];
  /** External OpenID Connect issuer (all three of issuer, jwksUrl, audience, or none). */
  oidc: {
    issuer: string | null;
    jwksUrl: string | null;
    audience: string | null;
    rolesClaim: string;
    usernameClaim: string;
    roleMapping: Record<string, string[]> | null;
    clockSkewSeconds: number;
  };
  /** This server as an OpenID provider for its local users, at <origin>/oidc (browser viewers). */
  oidcProvider: { enabled: boolean; accessTokenTtlSeconds: number; refreshTokenTtlSeconds: number };
  security: {
    userCacheSeconds: number;
    loginMaxFailuresPerUser: number;
    loginMaxFailuresPerAddress: number;
    loginWindowSeconds: number;
    dimseCheckHost: boolean;
  };
  tls: {
    httpCert: string | null;
    httpKey: string | null;
    dimsePort: number | null;
    dimseCert: string | null;
    dimseKey: string | null;
    dimseCa: string | null;
    dimseRequireClientCert: boolean;
  };
  audit: { syslogUrl: string | null; syslogFormat: 'dicom' | 'json'; enabled: boolean; flushReads: boolean };
  /** HL7 v2 over MLLP from the RIS (orders, ADT); off while port is null. */
  hl7: {
    port: number | null;
    /** `APPLICATION^FACILITY` (MSH-3^MSH-4) of the senders whose messages are processed; `*`: any. */
    allowedSenders: string[] | null;
    maxConnections: number;
    idleTimeoutMs: number;
    /** Scheduled Station AE Title of an order that names none (ORM never does; OMI may, in IPC-9). */
    stationAeTitle: string;
  };
  /** The PostgreSQL job queue (libs/jobs): polling, leases, retries with backoff. */
  jobs: { pollMs: number; concurrency: number; leaseMs: number; retryBaseMs: number; retryMaxMs: number; maxAttempts: number; keepHours: number };
  /** Forwarding rules (libs/routing): instances sent per association to one destination. */
  routing: { batchSize: number };
  /** Webhooks (libs/webhooks): the server's address in event payloads; study.received debounce. */
  webhooks: { publicUrl: string | null; debounceSeconds: number };
  /** GET /metrics: the bearer token Prometheus sends; null turns the endpoint off. */
  metrics: { token: string | null };
  /** HMAC key of de-identification pseudonyms (PS3.15 E); null: de-identification is refused. */
  deid: { secret: string | null };
  /** The bundled OHIF viewer at /viewer/ and how it logs in (libs/viewer). */
  viewer: { mode: 'on' | 'off'; oidcClientId: string; oidcScope: string };
}

const SETTINGS: Setting[] = [
  { path: 'http.port', env: 'PACS_HTTP_PORT', type: 'port' },
  { path: 'http.host', env: 'PACS_HTTP_HOST', type: 'string' },
  { path: 'http.bodyLimit', env: 'PACS_HTTP_BODY_LIMIT', type: 'positiveInt' },
  { path: 'http.stowBodyLimit', env: 'PACS_HTTP_STOW_BODY_LIMIT', type: 'positiveInt' },
  { path: 'http.trustedProxies', env: 'PACS_HTTP_TRUSTED_PROXIES', type: 'proxyList' },
  { path: 'http.corsOrigins', env: 'PACS_HTTP_CORS_ORIGINS', type: 'originList' },
  { path: 'http.requestTimeoutMs', env: 'PACS_HTTP_REQUEST_TIMEOUT_MS', type: 'positiveInt' },
  { path: 'http.idleTimeoutMs', env: 'PACS_HTTP_IDLE_TIMEOUT_MS', type: 'positiveInt' },
  { path: 'http.maxConnections', env: 'PACS_HTTP_MAX_CONNECTIONS', type: 'positiveInt' },
  { path: 'http.maxConnectionsPerAddress', env: 'PACS_HTTP_MAX_CONNECTIONS_PER_ADDRESS', type: 'positiveInt' },
  { path: 'dimse.port', env: 'PACS_DIMSE_PORT', type: 'port' },
  { path: 'dimse.aeTitle', env: 'PACS_AE_TITLE', type: 'aeTitle' },
  { path: 'dimse.allowUnknown', env: 'PACS_DIMSE_ALLOW_UNKNOWN', type: 'boolean' },
  { path: 'dimse.maxAssociations', env: 'PACS_DIMSE_MAX_ASSOCIATIONS', type: 'positiveInt' },
  { path: 'dimse.maxConnections', env: 'PACS_DIMSE_MAX_CONNECTIONS', type: 'positiveInt' },
  { path: 'dimse.associationTimeoutMs', env: 'PACS_DIMSE_ASSOCIATION_TIMEOUT_MS', type: 'positiveInt' },
  { path: 'dimse.pduTimeoutMs', env: 'PACS_DIMSE_PDU_TIMEOUT_MS', type: 'positiveInt' },
  { path: 'dimse.commitmentRetryDelayMs', env: 'PACS_COMMITMENT_RETRY_DELAY_MS', type: 'positiveInt' },
  { path: 'dimse.commitmentRetryHours', env: 'PACS_COMMITMENT_RETRY_HOURS', type: 'positiveInt' },
  { path: 'dataDir', env: 'PACS_DATA_DIR', type: 'string' },
  { path: 'nodeId', env: 'PACS_NODE_ID', type: 'string', optional: true },
  { path: 'workers', env: 'PACS_WORKERS', type: 'workers' },
  { path: 'storage.backend', env: 'PACS_STORAGE_BACKEND', type: ['filesystem', 's3'] },
  { path: 'storage.s3.bucket', env: 'PACS_S3_BUCKET', type: 'string', optional: true },
  { path: 'storage.s3.prefix', env: 'PACS_S3_PREFIX', type: 'string', optional: true },
  { path: 'storage.s3.endpoint', env: 'PACS_S3_ENDPOINT', type: 'url', optional: true },
  { path: 'storage.s3.region', env: 'PACS_S3_REGION', type: 'string' },
  { path: 'storage.s3.forcePathStyle', env: 'PACS_S3_FORCE_PATH_STYLE', type: 'boolean' },
  { path: 'database.url', env: 'DATABASE_URL', type: 'postgresUrl', optional: true },
  { path: 'database.embeddedPort', env: 'PACS_EMBEDDED_PG_PORT', type: 'port' },
  { path: 'auth.adminPassword', env: 'PACS_ADMIN_PASSWORD', type: 'string', optional: true },
  { path: 'auth.jwtSecret', env: 'PACS_JWT_SECRET', type: 'secret', optional: true },
  { path: 'auth.tokenTtlSeconds', env: 'PACS_TOKEN_TTL_SECONDS', type: 'positiveInt' },
  { path: 'ingest.duplicatePolicy', env: 'PACS_DUPLICATE_POLICY', type: ['overwrite', 'keep', 'reject'] },
  { path: 'ingest.maxInstanceBytes', env: 'PACS_MAX_INSTANCE_BYTES', type: 'positiveInt' },
  { path: 'ingest.minFreeBytes', env: 'PACS_STORAGE_MIN_FREE_BYTES', type: 'positiveInt' },
  { path: 'rejection.retentionDays', env: 'PACS_REJECTED_RETENTION_DAYS', type: 'positiveNumber' },
  { path: 'rejection.sweepSeconds', env: 'PACS_REJECTED_SWEEP_SECONDS', type: 'positiveInt' },
  { path: 'log.level', env: 'PACS_LOG_LEVEL', type: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] },
  { path: 'peers', env: 'PACS_PEERS', type: 'peers' },
  { path: 'oidc.issuer', env: 'PACS_OIDC_ISSUER', type: 'string', optional: true },
  { path: 'oidc.jwksUrl', env: 'PACS_OIDC_JWKS_URL', type: 'url', optional: true },
  { path: 'oidc.audience', env: 'PACS_OIDC_AUDIENCE', type: 'string', optional: true },
  { path: 'oidc.rolesClaim', env: 'PACS_OIDC_ROLES_CLAIM', type: 'string' },
  { path: 'oidc.usernameClaim', env: 'PACS_OIDC_USERNAME_CLAIM', type: 'string' },
  { path: 'oidc.roleMapping', env: 'PACS_OIDC_ROLE_MAPPING', type: 'roleMapping', optional: true },
  { path: 'oidc.clockSkewSeconds', env: 'PACS_OIDC_CLOCK_SKEW_SECONDS', type: 'nonNegativeInt' },
  { path: 'oidcProvider.enabled', env: 'PACS_OIDC_PROVIDER', type: 'boolean' },
  { path: 'oidcProvider.accessTokenTtlSeconds', env: 'PACS_OIDC_ACCESS_TOKEN_TTL_SECONDS', type: 'positiveInt' },
  { path: 'oidcProvider.refreshTokenTtlSeconds', env: 'PACS_OIDC_REFRESH_TOKEN_TTL_SECONDS', type: 'positiveInt' },
  { path: 'security.userCacheSeconds', env: 'PACS_AUTH_USER_CACHE_SECONDS', type: 'nonNegativeInt' },
  { path: 'security.loginMaxFailuresPerUser', env: 'PACS_LOGIN_MAX_FAILURES', type: 'positiveInt' },
  { path: 'security.loginMaxFailuresPerAddress', env: 'PACS_LOGIN_MAX_FAILURES_PER_ADDRESS', type: 'positiveInt' },
  { path: 'security.loginWindowSeconds', env: 'PACS_LOGIN_WINDOW_SECONDS', type: 'positiveInt' },
  { path: 'security.dimseCheckHost', env: 'PACS_DIMSE_CHECK_HOST', type: 'boolean' },
  { path: 'tls.httpCert', env: 'PACS_HTTP_TLS_CERT', type: 'file', optional: true },
  { path: 'tls.httpKey', env: 'PACS_HTTP_TLS_KEY', type: 'file', optional: true },
  { path: 'tls.dimsePort', env: 'PACS_DIMSE_TLS_PORT', type: 'port', optional: true },
  { path: 'tls.dimseCert', env: 'PACS_DIMSE_TLS_CERT', type: 'file', optional: true },
  { path: 'tls.dimseKey', env: 'PACS_DIMSE_TLS_KEY', type: 'file', optional: true },
  { path: 'tls.dimseCa', env: 'PACS_DIMSE_TLS_CA', type: 'file', optional: true },
  { path: 'tls.dimseRequireClientCert', env: 'PACS_DIMSE_TLS_REQUIRE_CLIENT_CERT', type: 'boolean' },
  { path: 'audit.syslogUrl', env: 'PACS_AUDIT_SYSLOG_URL', type: 'syslogUrl', optional: true },
  { path: 'audit.syslogFormat', env: 'PACS_AUDIT_SYSLOG_FORMAT', type: ['dicom', 'json'] },
  { path: 'audit.enabled', env: 'PACS_AUDIT_ENABLED', type: 'boolean' },
  { path: 'audit.flushReads', env: 'PACS_AUDIT_FLUSH_READS', type: 'boolean' },
  { path: 'hl7.port', env: 'PACS_HL7_PORT', type: 'port', optional: true },
  { path: 'hl7.allowedSenders', env: 'PACS_HL7_ALLOWED_SENDERS', type: 'hl7Senders', optional: true },
  { path: 'hl7.maxConnections', env: 'PACS_HL7_MAX_CONNECTIONS', type: 'positiveInt' },
  { path: 'hl7.idleTimeoutMs', env: 'PACS_HL7_IDLE_TIMEOUT_MS', type: 'positiveInt' },
  { path: 'hl7.stationAeTitle', env: 'PACS_HL7_STATION_AE', type: 'aeTitle' },
  { path: 'metrics.token', env: 'PACS_METRICS_TOKEN', type: 'secret', optional: true },
  { path: 'deid.secret', env: 'PACS_DEID_SECRET', type: 'secret', optional: true },
  { path: 'jobs.pollMs', env: 'PACS_JOBS_POLL_MS', type: 'positiveInt' },
  { path: 'jobs.concurrency', env: 'PACS_JOBS_CONCURRENCY', type: 'positiveInt' },
  { path: 'jobs.leaseMs', env: 'PACS_JOBS_LEASE_MS', type: 'positiveInt' },
  { path: 'jobs.retryBaseMs', env: 'PACS_JOBS_RETRY_BASE_MS', type: 'positiveInt' },
  { path: 'jobs.retryMaxMs', env: 'PACS_JOBS_RETRY_MAX_MS', type: 'positiveInt' },
  { path: 'jobs.maxAttempts', env: 'PACS_JOBS_MAX_ATTEMPTS', type: 'positiveInt' },
  { path: 'jobs.keepHours', env: 'PACS_JOBS_KEEP_HOURS', type: 'positiveInt' },
  { path: 'routing.batchSize', env: 'PACS_ROUTING_BATCH_SIZE', type: 'positiveInt' },
  { path: 'webhooks.publicUrl', env: 'PACS_PUBLIC_URL', type: 'url', optional: true },
  { path: 'webhooks.debounceSeconds', env: 'PACS_WEBHOOKS_DEBOUNCE_SECONDS', type: 'nonNegativeInt' },
  { path: 'viewer.mode', env: 'PACS_VIEWER', type: ['on', 'off'] },
  { path: 'viewer.oidcClientId', env: 'PACS_VIEWER_OIDC_CLIENT_ID', type: 'string' },
  { path: 'viewer.oidcScope', env: 'PACS_VIEWER_OIDC_SCOPE', type: 'string' },
];

/** Settings that only make sense together (checked after each one is valid on its own). */
function crossCheck(c: PacsConfig): string[] {
  const problems: string[] = [];
  const oidc = [c.oidc.issuer, c.oidc.jwksUrl, c.oidc.audience];
  if (oidc.some((v) => v !== null) && oidc.some((v) => v === null)) {
    problems.push('PACS_OIDC_ISSUER, PACS_OIDC_JWKS_URL and PACS_OIDC_AUDIENCE: set all three or none');
  }
  if ((c.tls.httpCert === null) !== (c.tls.httpKey === null)) {
    problems.push('PACS_HTTP_TLS_CERT and PACS_HTTP_TLS_KEY: set both or neither');
  }
  if (c.tls.dimsePort !== null && (c.tls.dimseCert === null || c.tls.dimseKey === null)) {
    problems.push('PACS_DIMSE_TLS_PORT needs PACS_DIMSE_TLS_CERT and PACS_DIMSE_TLS_KEY');
  }
  if (c.tls.dimsePort !== null && c.tls.dimseRequireClientCert && c.tls.dimseCa === null) {
    problems.push('PACS_DIMSE_TLS_REQUIRE_CLIENT_CERT needs PACS_DIMSE_TLS_CA (the CA that signs client certificates)');
  }
  if (c.dimse.maxConnections < c.dimse.maxAssociations) {
    // Below it, associations would be cut off as bare connections before the association limit
    // could answer them with A-ASSOCIATE-RJ (PS3.8 9.3.4).
    problems.push('PACS_DIMSE_MAX_CONNECTIONS must be at least PACS_DIMSE_MAX_ASSOCIATIONS');
  }
  if (c.http.stowBodyLimit < c.ingest.maxInstanceBytes) {
    // Below it, an instance the server accepts alone could not be sent in a multipart request.
    problems.push('PACS_HTTP_STOW_BODY_LIMIT must be at least PACS_MAX_INSTANCE_BYTES');
  }
  if (c.storage.backend === 's3' && c.storage.s3.bucket === null) {
    problems.push('PACS_STORAGE_BACKEND=s3 needs PACS_S3_BUCKET');
  }
  if (c.tls.dimsePort !== null && c.tls.dimsePort === c.dimse.port) {
    problems.push('PACS_DIMSE_TLS_PORT must differ from PACS_DIMSE_PORT');
  }
  if (c.hl7.port !== null && c.hl7.allowedSenders === null) {
    problems.push('PACS_HL7_PORT needs PACS_HL7_ALLOWED_SENDERS (APPLICATION^FACILITY of each RIS, or * for any)');
  }
  if (c.hl7.port !== null && (c.hl7.port === c.dimse.port || c.hl7.port === c.http.port)) {
    problems.push('PACS_HL7_PORT must differ from PACS_HTTP_PORT and PACS_DIMSE_PORT');
  }
  return problems;
}

/**
 * Builds the configuration from the YAML file (PACS_CONFIG_FILE or config/default.yaml)
 * overridden by the environment. Throws a ConfigError listing every bad setting.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PacsConfig {
  const file = env.PACS_CONFIG_FILE ?? findConfigFile();
  const yaml = (parse(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  const config: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const setting of SETTINGS) {
    const result = readValue(setting, yaml, env);
    if ('problem' in result) problems.push(result.problem);
    else assign(config, setting.path, result.value);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const built = Object.assign(new PacsConfig(), config);
  const combined = crossCheck(built);
  if (combined.length > 0) throw new ConfigError(combined);
  built.dataDir = resolve(built.dataDir);
  built.nodeId ??= `${hostname()}:${built.http.port}`;
  return built;
}

function assign(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
}
