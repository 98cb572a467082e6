import { PacsConfig } from '@pacs/config';
import { DatabaseStartError } from '@pacs/database';
import { StorageError } from '@pacs/storage';

/**
 * What the admin reads when the server does not start. A cause they can fix (a port taken, a
 * database that will not start) is told in one sentence naming the setting to change; anything
 * else keeps its stack for a bug report.
 */
export function startupFailure(err: unknown, config: PacsConfig): string {
  if (err instanceof DatabaseStartError || err instanceof StorageError) return err.message;
  const listen = listenError(err);
  if (listen) {
    const setting = portSetting(listen.port, config);
    const where = setting ? `${setting.what} port ${listen.port}` : `port ${listen.port}`;
    if (listen.code === 'EADDRINUSE') {
      return `${where} is in use by another process. Stop it${setting ? `, or set ${setting.env} to a free port` : ''}.`;
    }
    return `${where} may not be opened by this user (ports below 1024 need root or CAP_NET_BIND_SERVICE)${setting ? `; set ${setting.env} to a port above 1023` : ''}.`;
  }
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

interface ListenError {
  code: 'EADDRINUSE' | 'EACCES';
  port: number;
}

function listenError(err: unknown): ListenError | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, port, syscall } = err as Error & { code?: string; port?: number; syscall?: string };
  if (syscall !== 'listen' || typeof port !== 'number') return undefined;
  return code === 'EADDRINUSE' || code === 'EACCES' ? { code, port } : undefined;
}

function portSetting(port: number, config: PacsConfig): { what: string; env: string } | undefined {
  if (port === config.http.port) return { what: 'the HTTP', env: 'PACS_HTTP_PORT' };
  if (port === config.dimse.port) return { what: 'the DICOM', env: 'PACS_DIMSE_PORT' };
  if (port === config.tls.dimsePort) return { what: 'the DICOM TLS', env: 'PACS_DIMSE_TLS_PORT' };
  return undefined;
}
