/**
 * Delay before the next attempt of a job that failed its `attempt`-th (from 1): exponential,
 * base × 2^(attempt−1), capped. No jitter: a destination's jobs run in order anyway, and the
 * few destinations of an archive do not stampede.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(baseMs * 2 ** exponent, maxMs);
}
