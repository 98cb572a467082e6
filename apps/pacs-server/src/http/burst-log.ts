import { Logger } from '@nestjs/common';

/** One warning per kind and interval, however many times it happens in between. */
const QUIET_MS = 10_000;

/**
 * Warnings about what a flood sends (refused connections, stalled or malformed requests): the
 * first of a burst is logged at once, the others are counted into the next line of their kind,
 * so a flood of connections does not also flood the log.
 */
export class BurstLog {
  private readonly quietUntil = new Map<string, number>();
  private readonly skipped = new Map<string, number>();

  constructor(private readonly log: Logger) {}

  /** `suppressed` on a line: how many of its kind were not logged since the previous one. */
  warn(kind: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    if (now < (this.quietUntil.get(kind) ?? 0)) {
      this.skipped.set(kind, (this.skipped.get(kind) ?? 0) + 1);
      return;
    }
    this.quietUntil.set(kind, now + QUIET_MS);
    const skipped = this.skipped.get(kind) ?? 0;
    this.skipped.delete(kind);
    this.log.warn({ ...fields, ...(skipped > 0 ? { suppressed: skipped } : {}) });
  }
}
