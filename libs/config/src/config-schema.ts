import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { isAeTitle } from '@pacs/dicom';

/** What a peer may be allowed to use over DIMSE (config peers and /api/peers). */
export const DIMSE_SERVICES = ['echo', 'store', 'find', 'move', 'get', 'worklist', 'mpps'] as const;

/** Most associations one C-MOVE opens to its destination (a peer's `moveAssociations`). */
export const MAX_MOVE_ASSOCIATIONS = 8;

type SettingType =
  | 'string'
  | 'secret'
  | 'port'
  | 'workers'
  | 'positiveInt'
  | 'boolean'
  | 'aeTitle'
  | 'postgresUrl'
  | 'peers'
  | 'file'
  | 'url'
  | 'roleMapping'
  | 'nonNegativeInt'
  | 'syslogUrl'
  | 'proxyList'
  | 'originList'
  | readonly string[];

export interface Setting {
  path: string;
  env: string;
  type: SettingType;
  optional?: boolean;
}

export class ConfigError extends Error {
  readonly code = 'config-invalid';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export function findConfigFile(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'config', 'default.yaml');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new ConfigError(['config/default.yaml not found; set PACS_CONFIG_FILE']);
    dir = parent;
  }
}

export function readValue(
  setting: Setting,
  yaml: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): { value: unknown } | { problem: string } {
  const fromEnv = env[setting.env];
  const raw = fromEnv !== undefined && fromEnv !== '' ? fromEnv : lookup(yaml, setting.path);
  const source = fromEnv !== undefined && fromEnv !== '' ? setting.env : `${setting.path} (config file)`;
  if (raw === undefined || raw === null) {
    return setting.optional ? { value: null } : { problem: `${source}: a value is required` };
  }
  const value = convert(setting.type, raw);
  return value === undefined ? { problem: `${source}: ${describe(setting.type)}, got ${JSON.stringify(raw)}` } : { value };
}

function lookup(yaml: Record<string, unknown>, path: string): unknown {
  let node: unknown = yaml;
  for (const key of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

function convert(type: SettingType, raw: unknown): unknown {
  if (Array.isArray(type)) return type.includes(String(raw)) ? String(raw) : undefined;
  switch (type) {
    case 'string':
      return String(raw);
    case 'secret':
      return String(raw).length >= 16 ? String(raw) : undefined;
    case 'port': {
      const n = Number(raw);
      return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
    }
    case 'workers': {
      if (String(raw) === 'auto') return availableParallelism();
      const n = Number(raw);
      return Number.isSafeInteger(n) && n > 0 && n <= 256 ? n : undefined;
    }
    case 'positiveInt': {
      const n = Number(raw);
      return Number.isSafeInteger(n) && n > 0 ? n : undefined;
    }
    case 'boolean':
      if (raw === true || raw === 'true' || raw === '1' || raw === 'on') return true;
      if (raw === false || raw === 'false' || raw === '0' || raw === 'off') return false;
      return undefined;
    case 'aeTitle':
      return isAeTitle(String(raw)) ? String(raw).trim() : undefined;
    case 'postgresUrl':
      return /^postgres(ql)?:\/\//.test(String(raw)) ? String(raw) : undefined;
    case 'peers':
      return convertPeers(raw);
    case 'file':
      return existsSync(String(raw)) ? String(raw) : undefined;
    case 'url':
      return /^https?:\/\/./.test(String(raw)) ? String(raw) : undefined;
    case 'roleMapping':
      return convertRoleMapping(raw);
    case 'nonNegativeInt': {
      const n = Number(raw);
      return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
    }
    case 'proxyList':
      return convertProxyList(raw);
    case 'originList':
      return convertOriginList(raw);
    case 'syslogUrl':
      return /^(udp|tcp):\/\/(\[[^\]]+\]|[^:/]+):\d{1,5}\/?$/.test(String(raw).trim()) ? String(raw).trim() : undefined;
  }
  return undefined;
}

/** The entries of a list setting: comma-separated in an environment variable, or a YAML list. */
function listItems(raw: unknown): string[] {
  return (Array.isArray(raw) ? raw.map(String) : String(raw).split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

/** Web origins (scheme://host[:port], as a browser sends in Origin), comma-separated or a YAML list; `*` alone is any. */
function convertOriginList(raw: unknown): string[] | undefined {
  const items = listItems(raw);
  if (items.length === 1 && items[0] === '*') return items;
  return items.every(isOrigin) ? items : undefined;
}

function isOrigin(entry: string): boolean {
  try {
    const url = new URL(entry);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry;
  } catch {
    return false;
  }
}

/** Names proxy-addr (Fastify's trustProxy) knows for address ranges. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/** Addresses, CIDR ranges or range names, comma-separated or a YAML list; an empty list trusts none. */
function convertProxyList(raw: unknown): string[] | undefined {
  const items = listItems(raw);
  return items.every(isProxyEntry) ? items : undefined;
}

function isProxyEntry(entry: string): boolean {
  if (PROXY_RANGES.includes(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address);
  if (extra !== undefined || family === 0) return false;
  if (bits === undefined) return true;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

function convertPeers(raw: unknown): unknown {
  let list = raw;
  if (typeof raw === 'string') {
    try {
      list = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(list)) return undefined;
  const ok = list.every(
    (p) =>
      p &&
      typeof p.aeTitle === 'string' &&
      isAeTitle(p.aeTitle) &&
      typeof p.host === 'string' &&
      Number.isInteger(p.port) &&
      Array.isArray(p.services) &&
      p.services.every((s: unknown) => (DIMSE_SERVICES as readonly string[]).includes(String(s))) &&
      (p.checkHost === undefined || typeof p.checkHost === 'boolean') &&
      (p.tls === undefined || typeof p.tls === 'boolean') &&
      (p.moveAssociations === undefined || (Number.isInteger(p.moveAssociations) && p.moveAssociations >= 1 && p.moveAssociations <= MAX_MOVE_ASSOCIATIONS)),
  );
  return ok ? list : undefined;
}

/** `{"external-role": "our-role" | ["our-role", ...]}`, as YAML or a JSON string; values normalized to lists. */
function convertRoleMapping(raw: unknown): unknown {
  let map = raw;
  if (typeof raw === 'string') {
    try {
      map = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (!map || typeof map !== 'object' || Array.isArray(map)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(map as Record<string, unknown>)) {
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v) => typeof v === 'string' && v !== '')) return undefined;
    out[key] = list as string[];
  }
  return out;
}

function describe(type: SettingType): string {
  if (Array.isArray(type)) return `expected one of ${type.join(', ')}`;
  const text: Record<string, string> = {
    string: 'expected a string',
    secret: 'expected a secret of at least 16 characters',
    port: 'expected a port number 1-65535',
    positiveInt: 'expected a positive integer',
    workers: 'expected auto (one per core) or a number of processes 1-256',
    boolean: 'expected true or false (or on / off)',
    aeTitle: 'expected an AE title (1-16 characters, no backslash)',
    postgresUrl: 'expected a postgres:// URL',
    peers: `expected a list of {aeTitle, host, port, services[, checkHost][, moveAssociations 1-${MAX_MOVE_ASSOCIATIONS}][, tls]}`,
    file: 'expected the path of an existing file',
    url: 'expected an http:// or https:// URL',
    roleMapping: 'expected a JSON object {"external-role": "our-role" or ["our-role", ...]}',
    nonNegativeInt: 'expected an integer >= 0',
    syslogUrl: 'expected udp://host:port or tcp://host:port',
    proxyList: 'expected addresses or CIDR ranges (10.0.0.5, 10.0.0.0/8, ::1) or loopback / linklocal / uniquelocal, comma-separated',
    originList: 'expected web origins such as https://viewer.example.org or http://localhost:3000 (scheme, host and port; no path), comma-separated, or * alone',
  };
  return text[type as string];
}
