import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, DIMSE_SERVICES, findConfigFile, readValue, Setting } from './config-schema';

export type DuplicatePolicy = 'overwrite' | 'keep' | 'reject';
export type DimseService = (typeof DIMSE_SERVICES)[number];

export interface PeerSeed {
  aeTitle: string;
  host: string;
  port: number;
  services: DimseService[];
}

/** The whole server configuration, validated once at boot (see config/default.yaml). */
export class PacsConfig {
  http: { port: number; host: string; bodyLimit: number };
  dimse: { port: number; aeTitle: string; allowUnknown: boolean; maxAssociations: number; pduTimeoutMs: number };
  dataDir: string;
  database: { url: string | null; embeddedPort: number };
  auth: { adminPassword: string | null; jwtSecret: string | null; tokenTtlSeconds: number };
  ingest: { duplicatePolicy: DuplicatePolicy; maxInstanceBytes: number };
  log: { level: string };
  peers: PeerSeed[];
  audit: { syslogUrl: string | null };
}

const SETTINGS: Setting[] = [
  { path: 'http.port', env: 'PACS_HTTP_PORT', type: 'port' },
  { path: 'http.host', env: 'PACS_HTTP_HOST', type: 'string' },
  { path: 'http.bodyLimit', env: 'PACS_HTTP_BODY_LIMIT', type: 'positiveInt' },
  { path: 'dimse.port', env: 'PACS_DIMSE_PORT', type: 'port' },
  { path: 'dimse.aeTitle', env: 'PACS_AE_TITLE', type: 'aeTitle' },
  { path: 'dimse.allowUnknown', env: 'PACS_DIMSE_ALLOW_UNKNOWN', type: 'boolean' },
  { path: 'dimse.maxAssociations', env: 'PACS_DIMSE_MAX_ASSOCIATIONS', type: 'positiveInt' },
  { path: 'dimse.pduTimeoutMs', env: 'PACS_DIMSE_PDU_TIMEOUT_MS', type: 'positiveInt' },
  { path: 'dataDir', env: 'PACS_DATA_DIR', type: 'string' },
  { path: 'database.url', env: 'DATABASE_URL', type: 'postgresUrl', optional: true },
  { path: 'database.embeddedPort', env: 'PACS_EMBEDDED_PG_PORT', type: 'port' },
  { path: 'auth.adminPassword', env: 'PACS_ADMIN_PASSWORD', type: 'string', optional: true },
  { path: 'auth.jwtSecret', env: 'PACS_JWT_SECRET', type: 'secret', optional: true },
  { path: 'auth.tokenTtlSeconds', env: 'PACS_TOKEN_TTL_SECONDS', type: 'positiveInt' },
  { path: 'ingest.duplicatePolicy', env: 'PACS_DUPLICATE_POLICY', type: ['overwrite', 'keep', 'reject'] },
  { path: 'ingest.maxInstanceBytes', env: 'PACS_MAX_INSTANCE_BYTES', type: 'positiveInt' },
  { path: 'log.level', env: 'PACS_LOG_LEVEL', type: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] },
  { path: 'peers', env: 'PACS_PEERS', type: 'peers' },
  { path: 'audit.syslogUrl', env: 'PACS_AUDIT_SYSLOG_URL', type: 'syslogUrl', optional: true },
];

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
  built.dataDir = resolve(built.dataDir);
  return built;
}

function assign(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
}
