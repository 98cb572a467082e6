// A UID is dot-separated numeric components, each without a leading zero unless it is "0",
// at most 64 characters (PS3.5 9.1). Callers trim trailing spaces; a trailing NUL pad left in
// the value is an error here, because it means the value was not read as a UI element.
const UID_PATTERN = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;
const UID_MAX_LENGTH = 64;

export function isValidUid(s: string): boolean {
  return typeof s === 'string' && s.length > 0 && s.length <= UID_MAX_LENGTH && UID_PATTERN.test(s);
}
