import { DomainError } from '@pacs/errors';

/** Largest number of frames one request may list (guards the multipart response size). */
const MAX_FRAMES = 10_000;

/**
 * Parses the `{frames}` path segment: a comma-separated list of 1-based frame numbers
 * (PS3.18 8.2.3 / 10.4.1.1.3). Throws bad-request for anything else.
 */
export function parseFrameList(text: string): number[] {
  if (!/^\d+(,\d+)*$/.test(text)) throw new DomainError('bad-request', `frame list "${text}" is not a comma-separated list of frame numbers`);
  const numbers = text.split(',').map(Number);
  if (numbers.some((n) => n < 1 || !Number.isSafeInteger(n))) throw new DomainError('bad-request', `frame numbers start at 1: "${text}"`);
  if (numbers.length > MAX_FRAMES) throw new DomainError('bad-request', `at most ${MAX_FRAMES} frames per request`);
  return numbers;
}
