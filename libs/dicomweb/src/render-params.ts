import Negotiator from 'negotiator';
import { DomainError } from '@pacs/errors';

export type RenderFormat = 'image/jpeg' | 'image/png';
export type VoiLutFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

/** What a /rendered or /thumbnail request asks for (PS3.18 8.3.5). */
export interface RenderRequest {
  format: RenderFormat;
  /** Explicit window (PS3.18 8.3.5.1.4), in the units after the Modality LUT. */
  window?: { center: number; width: number; fn: VoiLutFunction };
  /** Target size; a missing side follows the aspect ratio (PS3.18 8.3.5.1.3). */
  viewport?: { width?: number; height?: number };
  /** JPEG quality 1..100 (PS3.18 8.3.5.1.2). */
  quality: number;
}

const MAX_VIEWPORT = 8192;
const DEFAULT_QUALITY = 90;
const FUNCTIONS: Record<string, VoiLutFunction> = { linear: 'LINEAR', 'linear-exact': 'LINEAR_EXACT', sigmoid: 'SIGMOID' };
// JPEG first: the default when Accept allows anything (PS3.18 8.7.4: image/jpeg is the default rendered type).
const FORMATS: RenderFormat[] = ['image/jpeg', 'image/png'];

/**
 * Reads the rendering query parameters and the media type. The `accept` query parameter
 * replaces the Accept header (PS3.18 8.3.3.1); q-values are honoured by `negotiator`.
 */
export function parseRenderRequest(query: Record<string, unknown>, acceptHeader: string | undefined): RenderRequest {
  const accept = single(query, 'accept') ?? acceptHeader;
  const format = new Negotiator({ headers: { accept: accept && accept.trim() !== '' ? accept : '*/*' } }).mediaType(FORMATS) as RenderFormat | undefined;
  if (!format) throw new DomainError('not-acceptable', `cannot satisfy Accept "${accept}": rendered images are image/jpeg or image/png`);
  return { format, window: parseWindow(single(query, 'window')), viewport: parseViewport(single(query, 'viewport')), quality: parseQuality(single(query, 'quality')) };
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new DomainError('bad-request', `query parameter "${name}" must be given once`);
  return value;
}

function parseWindow(text: string | undefined): RenderRequest['window'] {
  if (text === undefined) return undefined;
  const [c, w, f = 'linear', ...rest] = text.split(',');
  const center = Number(c);
  const width = Number(w);
  const fn = FUNCTIONS[f.trim().toLowerCase()];
  if (rest.length > 0 || c.trim() === '' || !Number.isFinite(center) || !Number.isFinite(width) || width <= 0 || !fn) {
    throw new DomainError('bad-request', `window "${text}" must be center,width[,linear|linear-exact|sigmoid] with width > 0`);
  }
  return { center, width, fn };
}

function parseViewport(text: string | undefined): RenderRequest['viewport'] {
  if (text === undefined) return undefined;
  const sides = text.split(',');
  const valid = (s: string) => s === '' || (/^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= MAX_VIEWPORT);
  // The source-region form (vw,vh,sx,sy,sw,sh) is not supported: it is refused rather than ignored.
  if (sides.length !== 2 || !sides.every(valid) || sides.every((s) => s === '')) {
    throw new DomainError('bad-request', `viewport "${text}" must be width,height in pixels (1..${MAX_VIEWPORT}; one side may be empty)`);
  }
  const [width, height] = sides.map((s) => (s === '' ? undefined : Number(s)));
  return { width, height };
}

function parseQuality(text: string | undefined): number {
  if (text === undefined) return DEFAULT_QUALITY;
  const q = Number(text);
  if (!Number.isInteger(q) || q < 1 || q > 100) throw new DomainError('bad-request', `quality "${text}" must be an integer 1..100`);
  return q;
}
