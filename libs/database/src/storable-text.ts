/**
 * The code units PostgreSQL cannot store in text or jsonb (GOTCHAS, "Hostile and legacy input"):
 * U+0000 (text: "invalid byte sequence for encoding UTF8: 0x00"; jsonb: "unsupported Unicode
 * escape sequence"), and an unpaired UTF-16 surrogate, which jsonb refuses as an escape
 * (JSON.stringify writes one as \ud800) and a text parameter silently turns into U+FFFD, so the
 * stored value would differ from the one sent. Every other code point is valid UTF-8 and stored
 * as is.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** Whether PostgreSQL can store `text` as it is. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * `text` with each unstorable code unit written as its visible JSON escape (NUL becomes the six
 * characters `\u0000`), so what was received can still be read; storable text is returned as it is.
 */
export function storableText(text: string): string {
  if (isStorableText(text)) return text;
  return text.replace(UNSTORABLE_ALL, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `value` with storableText applied to every string in it, object keys included, through
 * arrays and plain objects at any depth; other values (numbers, dates, null …) are kept.
 */
export function storableValue<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map(storableValue) as T;
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableValue(v)])) as T;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
