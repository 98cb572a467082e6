/**
 * Error Comment (0000,0902) has VR LO: at most 64 characters, no backslash or control characters
 * (PS3.5 6.2); command sets use the default repertoire only (PS3.7 6.3.1), so ASCII.
 */
export const ERROR_COMMENT_MAX = 64;

/** Makes a message fit the Error Comment of a failure response (PS3.7 C, PS3.4 B.2.3). */
export function errorComment(message: string): string {
  const clean = message.replace(/[^\x20-\x5b\x5d-\x7e]/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length <= ERROR_COMMENT_MAX ? clean : `${clean.slice(0, ERROR_COMMENT_MAX - 3)}...`;
}
