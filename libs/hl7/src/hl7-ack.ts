import { randomBytes } from 'node:crypto';
import type { Hl7Segment } from '@medplum/core';
import { Delimiters, escapeValue } from './hl7-encoding';
import { ErrLocation, HL7_ERROR_TEXT } from './hl7-errors';

/** MSA-1 (HL7 v2.5 2.15.8.1, original mode): accepted, error, rejected. */
export type AckCode = 'AA' | 'AE' | 'AR';

export interface AckContent {
  code: AckCode;
  /** MSA-3 and ERR-8: what a person reads. */
  text?: string;
  /** The ERR segment (2.15.5): condition code (table 0357) and where it is. */
  error?: { code: number; location?: ErrLocation };
}

/**
 * The general acknowledgment (HL7 v2.5 2.13.1, ACK) to a message whose header is `header`
 * (undefined when the frame held no readable MSH): written in the message's own delimiters,
 * with MSA-2 its control ID, addressed back to its sender, and ERR naming the field in error.
 */
export function buildAck(header: Hl7Segment | undefined, d: Delimiters, content: AckContent, ourApplication: string, now = new Date()): string {
  const raw = (n: number) => (header ? (header.getField(n)?.toString() ?? '') : '');
  const event = header ? header.getComponent(9, 2) : '';
  const msh = [
    'MSH',
    `${d.component}${d.repetition}${d.escape}${d.subcomponent}`,
    raw(5) || escapeValue(ourApplication, d),
    raw(6),
    raw(3),
    raw(4),
    timestamp(now),
    '',
    ['ACK', event, event ? 'ACK' : ''].filter(Boolean).join(d.component),
    randomBytes(8).toString('hex'),
    raw(11) || 'P',
    raw(12) || '2.5',
    ...(raw(18) ? ['', '', '', '', '', raw(18)] : []),
  ];
  const text = content.text ? escapeValue(content.text.slice(0, 400), d) : '';
  const segments = [msh.join(d.field), ['MSA', content.code, raw(10), text].join(d.field)];
  if (content.error) segments.push(errSegment(content.error, text, d));
  return `${segments.join('\r')}\r`;
}

/** ERR (2.15.5): ERR-2 location, ERR-3 code^text^HL70357, ERR-4 severity E, ERR-8 user message. */
function errSegment(error: NonNullable<AckContent['error']>, text: string, d: Delimiters): string {
  const loc = error.location;
  const location = loc
    ? [loc.segment, loc.sequence ?? 1, loc.field ?? '', loc.field ? 1 : '', loc.component ?? ''].join(d.component).replace(new RegExp(`\\${d.component}+$`), '')
    : '';
  const condition = [error.code, HL7_ERROR_TEXT[error.code] ?? '', 'HL70357'].join(d.component);
  return ['ERR', '', location, condition, 'E', '', '', '', text].join(d.field);
}

/** DTM (HL7 v2.5 2.A.22) in UTC: YYYYMMDDHHMMSS+0000. */
function timestamp(now: Date): string {
  return `${now.toISOString().replace(/[-:T]/g, '').slice(0, 14)}+0000`;
}
