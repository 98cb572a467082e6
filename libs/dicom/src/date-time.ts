// Date and time value representations, PS3.5 6.2 (DA, TM, DT), in their current forms only: the
// pre-3.0 forms (yyyy.mm.dd, hh:mm:ss) may sit in stored data, but nothing asks with them.

/** DA: YYYYMMDD, a real calendar date. */
export function isDicomDate(value: unknown): boolean {
  return typeof value === 'string' && /^\d{8}$/.test(value) && isCalendarDate(value);
}

/** TM: HH, HHMM, HHMMSS or HHMMSS.F to .FFFFFF; SS may be 60 (a leap second). */
export function isDicomTime(value: unknown): boolean {
  return typeof value === 'string' && /^([01]\d|2[0-3])([0-5]\d(([0-5]\d|60)(\.\d{1,6})?)?)?$/.test(value);
}

/**
 * DT: YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]], then an optional UTC offset &ZZXX (+ or -, at most
 * 14 hours). Each component present must be valid, the day for its month and year.
 */
export function isDicomDateTime(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = /^(\d{4})(\d{2})?(\d{2})?(.*?)([+-](\d{2})(\d{2}))?$/.exec(value);
  if (!match) return false;
  const [, year, month, day, time, offset, offsetHours, offsetMinutes] = match;
  if (month !== undefined && (Number(month) < 1 || Number(month) > 12)) return false;
  if (day !== undefined && !isCalendarDate(`${year}${month}${day}`)) return false;
  if (time !== '' && (day === undefined || !isDicomTime(time))) return false;
  return offset === undefined || (Number(offsetHours) <= 14 && Number(offsetMinutes) < 60);
}

function isCalendarDate(yyyymmdd: string): boolean {
  const [y, m, d] = [Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)), Number(yyyymmdd.slice(6, 8))];
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d); // not Date.UTC, which reads years 0-99 as 1900-1999
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
