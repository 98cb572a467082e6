// Text in a chosen single-byte Specific Character Set (PS3.3 C.12.1.1.2). dcmjs writes every
// string as UTF-8 whatever (0008,0005) says, so the generator writes same-length ASCII
// placeholders through dcmjs and swaps in the encoded bytes afterwards (lengths are unchanged).
import { randomBytes } from 'node:crypto';

/** Defined terms → WHATWG encoding labels whose tables match the ISO 8859 parts. */
const SINGLE_BYTE: Record<string, string> = {
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 203': 'iso-8859-15',
};

const encoders = new Map<string, (text: string) => Buffer>();

function tableEncoder(label: string): (text: string) => Buffer {
  const decoded = new TextDecoder(label).decode(Uint8Array.from({ length: 256 }, (_, i) => i));
  const byChar = new Map<string, number>();
  [...decoded].forEach((ch, i) => byChar.set(ch, i));
  return (text) =>
    Buffer.from(
      [...text].map((ch) => {
        const byte = byChar.get(ch);
        if (byte === undefined) throw new Error(`'${ch}' is not in ${label}`);
        return byte;
      }),
    );
}

/** Encoder for a single-valued, single-byte character set; UTF-8 for ISO_IR 192 or none. */
export function encoderFor(charset: string | undefined): ((text: string) => Buffer) | undefined {
  if (!charset || charset === 'ISO_IR 192' || charset === 'ISO_IR 6') return undefined;
  if (charset === 'ISO_IR 100') return (text) => Buffer.from(text, 'latin1');
  const label = SINGLE_BYTE[charset];
  if (!label) throw new Error(`generator: Specific Character Set '${charset}' is not supported`);
  let encoder = encoders.get(label);
  if (!encoder) {
    encoder = tableEncoder(label);
    encoders.set(label, encoder);
  }
  return encoder;
}

export interface Substitution {
  placeholder: Buffer;
  bytes: Buffer;
}

const PLACEHOLDER_CHARS = 'qxzjQXZJ';

function placeholderOf(length: number): string {
  return [...randomBytes(length)].map((b) => PLACEHOLDER_CHARS[b % PLACEHOLDER_CHARS.length]).join('');
}

/**
 * Replaces every non-ASCII top-level string value with an ASCII placeholder of the same
 * encoded length and records the swap to apply to the written bytes.
 */
export function substituteText(
  dataset: Record<string, unknown>,
  encode: (text: string) => Buffer,
): Substitution[] {
  const subs: Substitution[] = [];
  const swap = (value: unknown): unknown => {
    if (typeof value !== 'string' || /^[\x00-\x7f]*$/.test(value)) return value;
    const bytes = encode(value);
    const placeholder = placeholderOf(bytes.length);
    subs.push({ placeholder: Buffer.from(placeholder, 'latin1'), bytes });
    return placeholder;
  };
  for (const [key, value] of Object.entries(dataset)) {
    dataset[key] = Array.isArray(value) ? value.map(swap) : swap(value);
  }
  return subs;
}

/** Applies the swaps in place; the placeholders are random, so each occurs once. */
export function applySubstitutions(bytes: Buffer, subs: Substitution[], from: number): void {
  for (const { placeholder, bytes: encoded } of subs) {
    const at = bytes.indexOf(placeholder, from);
    if (at < 0) throw new Error('generator: lost a character-set placeholder');
    encoded.copy(bytes, at);
  }
}
