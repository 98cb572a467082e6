import { LoggerService } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { pino } from 'pino';

/**
 * Nest's start-up chatter, one info line per module and per route (~110 lines): it buried the
 * first start's admin password and the ready banner, so it is logged at debug.
 */
const CHATTER = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** The application logger with Nest's start-up chatter moved to debug. */
export class QuietStartupLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    if (typeof context === 'string' && CHATTER.has(context)) this.inner.debug?.(message, ...rest);
    else this.inner.log(message, ...rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.inner.error(message, ...rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.inner.warn(message, ...rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug?.(message, ...rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(message, ...rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.inner.fatal?.(message, ...rest);
  }
}

/**
 * Writes `text` to stdout after every line logged so far. pino writes asynchronously, so a plain
 * stdout write overtakes the lines still queued; this one joins the end of pino's own queue.
 */
export function writeAfterLogs(text: string): void {
  const destination = (PinoLogger.root as unknown as Record<symbol, { write?(s: string): unknown } | undefined> | undefined)?.[pino.symbols.streamSym];
  if (destination?.write) destination.write(text);
  else process.stdout.write(text);
}
