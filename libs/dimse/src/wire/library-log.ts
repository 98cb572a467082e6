import { Logger } from '@nestjs/common';
import { log } from 'dcmjs-dimse';

/**
 * dcmjs-dimse logs through loglevel straight to the console, at info for every PDU and DIMSE
 * message. Keep only its errors (mostly peer resets and timeouts) and send them through Nest's
 * logger as warnings, so they share the server's structured log.
 */
export function routeLibraryLog(logger: Logger): void {
  log.methodFactory = () => (...args: unknown[]) => logger.warn({ msg: args.map(String).join(' '), source: 'dcmjs-dimse' });
  log.setLevel('error');
}
