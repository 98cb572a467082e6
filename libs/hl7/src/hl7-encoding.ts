/**
 * The message's own encoding characters (HL7 v2.5 2.5.4, MSH-1 and MSH-2) and the escape
 * sequences that carry them inside values (2.7.1). Answers are written with the delimiters the
 * sender chose, never assumed to be `|^~\&`.
 */
export interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
}

export const DEFAULT_DELIMITERS: Delimiters = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };

/**
 * MSH-1 and MSH-2 of a message: five distinct characters, none a letter, digit, space or
 * segment terminator; MSH-2 may carry a fifth (v2.7 truncation) character. Null when the text
 * does not start with a valid header.
 */
export function delimitersOf(text: string): Delimiters | null {
  if (!text.startsWith('MSH') || text.length < 8) return null;
  const chars = [...text.slice(3, 8)];
  if (new Set(chars).size !== 5 || chars.some((c) => /[A-Za-z0-9\s]/.test(c))) return null;
  const [field, component, repetition, escape, subcomponent] = chars;
  if (text.length > 8 && text[8] !== field && text[9] !== field) return null;
  return { field, component, repetition, escape, subcomponent };
}

/** A value written into a message: each delimiter in it as its escape sequence (2.7.1). */
export function escapeValue(value: string, d: Delimiters): string {
  const codes: [string, string][] = [
    [d.escape, 'E'],
    [d.field, 'F'],
    [d.component, 'S'],
    [d.subcomponent, 'T'],
    [d.repetition, 'R'],
  ];
  let out = '';
  for (const ch of value.replace(/[\r\n]+/g, ' ')) {
    const code = codes.find(([c]) => c === ch)?.[1];
    out += code ? `${d.escape}${code}${d.escape}` : ch;
  }
  return out;
}

/**
 * A value read from a message: the delimiter escapes (\F\ \S\ \T\ \R\ \E\) decoded. Other
 * sequences (highlighting, hexadecimal, character sets) are left as they are: a value holding
 * one then fails the DICOM rules (no backslash) and is answered AE naming its field.
 */
export function unescapeValue(value: string, d: Delimiters): string {
  if (!value.includes(d.escape)) return value;
  const map: Record<string, string> = { F: d.field, S: d.component, T: d.subcomponent, R: d.repetition, E: d.escape };
  const e = d.escape.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return value.replace(new RegExp(`${e}([FSTRE])${e}`, 'g'), (_, code: string) => map[code]);
}

/**
 * The text of a frame: UTF-8 when it is valid UTF-8 (MSH-18 UNICODE UTF-8, or plain ASCII),
 * else ISO 8859-1 (MSH-18 8859/1, the usual character set of RIS that declare none).
 */
export function decodeFrame(bytes: Buffer): { text: string; encoding: 'utf8' | 'latin1' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf8' };
  } catch {
    return { text: bytes.toString('latin1'), encoding: 'latin1' };
  }
}
