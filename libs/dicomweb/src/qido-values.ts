import { isDicomDate, isDicomDateTime, isDicomTime } from '@pacs/dicom';
import { DomainError } from '@pacs/errors';

interface DateTimeRule {
  valid: (value: string) => boolean;
  form: string;
  /** Characters of a wildcard pattern on this VR (our extension, see below). */
  pattern: RegExp;
}

const RULES: Record<string, DateTimeRule> = {
  DA: { valid: isDicomDate, form: 'a date YYYYMMDD', pattern: /^[0-9*?]+$/ },
  TM: { valid: isDicomTime, form: 'a time HH[MM[SS[.FFFFFF]]]', pattern: /^[0-9.*?]+$/ },
  DT: { valid: isDicomDateTime, form: 'a date-time YYYY[MM[DD[HH[MM[SS[.FFFFFF]]]]]][+ZZXX]', pattern: /^[0-9.+*?]+$/ },
};

/**
 * PS3.18 8.3.4.1: a date or time matching key is one value of its VR or a range (PS3.4
 * C.2.2.2.5: "a-b", "a-", "-b"), besides universal matching ("" or "*"). PS3.4 C.2.2.2.4 has no
 * wildcards on these VRs; this archive offers them (docs/conformance.md 4.3), over digits only.
 * Anything else is an invalid query parameter, refused with 400 (PS3.18 8.3.4) rather than
 * matched as text.
 */
export function checkDateTimeMatch(name: string, vr: string | undefined, value: string): void {
  const rule = vr === undefined ? undefined : RULES[vr];
  const text = value.trim();
  if (!rule || text === '' || text === '*') return;
  const valid = /[*?]/.test(text) && !text.includes('-') ? rule.pattern.test(text) : isValueOrRange(text, rule.valid);
  if (!valid) {
    throw new DomainError('bad-request', `${name} must be ${rule.form}, a range of them (from-to, from-, -to) or a wildcard pattern of digits, not "${value}"`);
  }
}

function isValueOrRange(text: string, valid: (value: string) => boolean): boolean {
  const bounds = text.split('-');
  if (bounds.length === 1) return valid(text);
  const [from, to] = bounds;
  return bounds.length === 2 && (from !== '' || to !== '') && (from === '' || valid(from)) && (to === '' || valid(to));
}
