import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { ErrLocation, Hl7Error, Hl7ErrorCode } from './hl7-errors';

/** ERR-2 as people read it: PID-7, OBR-27.4, IPC(2)-5. */
export function locationText(loc: ErrLocation): string {
  const seq = loc.sequence && loc.sequence > 1 ? `(${loc.sequence})` : '';
  return `${loc.segment}${seq}${loc.field ? `-${loc.field}` : ''}${loc.component ? `.${loc.component}` : ''}`;
}

/**
 * The DTO built from a message and validated as the REST route validates its body (class-validator,
 * unknown properties refused); the first broken rule is answered AE naming the HL7 field it came
 * from (`sources`: DTO path → field; `scheduledSteps.0.startDate`, or a prefix of it). A rule
 * broken by an empty value is 101 (required field missing), any other 102 (data type error).
 */
export async function validated<T extends object>(type: new () => T, plain: Record<string, unknown>, sources: Record<string, ErrLocation>): Promise<T> {
  const dto = plainToInstance(type, plain);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  const first = flatten(errors)[0];
  if (!first) return dto;
  const location = sourceOf(first.path, sources);
  const empty = first.value === undefined || first.value === null || first.value === '';
  const code = empty ? Hl7ErrorCode.RequiredFieldMissing : Hl7ErrorCode.DataTypeError;
  throw new Hl7Error('AE', code, `${location ? `${locationText(location)} ` : ''}(${first.path}): ${first.message}`, location);
}

function flatten(errors: ValidationError[], parent = ''): { path: string; message: string; value: unknown }[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ path, message: Object.values(e.constraints)[0], value: e.value }] : [];
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/** The field a DTO path came from: the path itself, else its nearest mapped parent. */
function sourceOf(path: string, sources: Record<string, ErrLocation>): ErrLocation | undefined {
  for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    if (sources[p]) return sources[p];
  }
  return undefined;
}

/** A key looked up as it is (no DTO checks it): no backslash or control character (PS3.5 6.2 SH, LO). */
export function checkText(key: string, location: ErrLocation): void {
  if (/[\\\x00-\x1f\x7f]/.test(key)) throw new Hl7Error('AE', Hl7ErrorCode.DataTypeError, `${locationText(location)} must not contain a backslash or control characters`, location);
}
