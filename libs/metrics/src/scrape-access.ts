import { timingSafeEqual } from 'node:crypto';

export type ScrapeAccess = 'allowed' | 'disabled' | 'unauthenticated';

/**
 * Who may read /metrics: only a bearer of PACS_METRICS_TOKEN, a static secret a Prometheus
 * server can keep in its scrape configuration (an hour-long user token would not do). Without
 * the setting the endpoint is off. The comparison takes the same time whatever the guess.
 */
export function scrapeAccess(token: string | null, authorization: string | undefined): ScrapeAccess {
  if (token === null) return 'disabled';
  const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '';
  const expected = Buffer.from(token);
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'allowed' : 'unauthenticated';
}
