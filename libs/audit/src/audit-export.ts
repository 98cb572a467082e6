import Negotiator from 'negotiator';
import { Readable } from 'node:stream';
import type { AuditEvent } from './audit-event';

export type ExportFormat = 'csv' | 'ndjson';
export const EXPORT_MEDIA_TYPES: Record<ExportFormat, string> = { csv: 'text/csv', ndjson: 'application/x-ndjson' };

const CSV_COLUMNS: (keyof AuditEvent)[] = [
  'id', 'time', 'actor', 'actorType', 'sourceAddress', 'action', 'actionName', 'actionCode',
  'outcome', 'patientId', 'studyUids', 'details', 'source', 'prevHash', 'hash',
];

/** `format` wins; else the Accept header (text/csv, application/x-ndjson); else NDJSON. */
export function chooseExportFormat(format: ExportFormat | undefined, accept: string | undefined): ExportFormat {
  if (format) return format;
  const chosen = new Negotiator({ headers: { accept: accept ?? '*/*' } }).mediaType([EXPORT_MEDIA_TYPES.ndjson, EXPORT_MEDIA_TYPES.csv, 'application/json']);
  return chosen === EXPORT_MEDIA_TYPES.csv ? 'csv' : 'ndjson';
}

/** The events as a stream of lines: one JSON object per line, or RFC 4180 CSV with a header row. */
export function exportStream(events: AsyncIterable<AuditEvent>, format: ExportFormat): Readable {
  return Readable.from(format === 'csv' ? csvLines(events) : ndjsonLines(events));
}

async function* ndjsonLines(events: AsyncIterable<AuditEvent>): AsyncGenerator<string> {
  for await (const e of events) yield `${JSON.stringify(e)}\n`;
}

async function* csvLines(events: AsyncIterable<AuditEvent>): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(',')}\r\n`;
  for await (const e of events) yield `${CSV_COLUMNS.map((c) => csvField(e[c])).join(',')}\r\n`;
}

/**
 * Study UIDs joined by a space; details as JSON; quotes doubled (RFC 4180 2.7). Text a
 * spreadsheet would run as a formula (a user name or patient ID starting with = + - @, tab or
 * CR, chosen by whoever sent it) gets a leading apostrophe, so opening an export runs nothing
 * (OWASP, CSV injection). Numbers stay as they are; NDJSON keeps every value untouched.
 */
function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(' ') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const inert = typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(inert) ? `"${inert.replace(/"/g, '""')}"` : inert;
}
