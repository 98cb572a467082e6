import { registerDecorator, ValidationOptions } from 'class-validator';
import { isDicomDate, isDicomTime, isValidUid } from '@pacs/dicom';

export { isDicomDate, isDicomTime };

/**
 * PN VR, PS3.5 6.2.1: one alphabetic component group of at most five `^`-separated components,
 * 64 characters at most, no backslash (value separator), `=` (group separator) or control characters.
 */
export function isPersonName(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.trim().length > 0 &&
    value.length <= 64 &&
    value.split('^').length <= 5 &&
    !/[\\=\x00-\x1f\x7f]/.test(value)
  );
}

function decorator(name: string, test: (value: unknown) => boolean, message: (property: string) => string) {
  return (options?: ValidationOptions): PropertyDecorator =>
    (target: object, propertyName: string | symbol) =>
      registerDecorator({
        name,
        target: target.constructor,
        propertyName: String(propertyName),
        options: { message: (args) => message(args.property), ...options },
        validator: { validate: test },
      });
}

export const IsDicomDate = decorator('isDicomDate', isDicomDate, (p) => `${p} must be a DICOM date YYYYMMDD (PS3.5 6.2 DA)`);
export const IsDicomTime = decorator('isDicomTime', isDicomTime, (p) => `${p} must be a DICOM time HH[MM[SS[.FFFFFF]]] (PS3.5 6.2 TM)`);
export const IsPersonName = decorator(
  'isPersonName',
  isPersonName,
  (p) => `${p} must be a DICOM person name: at most 5 ^-separated components, 64 characters, no \\ or = (PS3.5 6.2.1 PN)`,
);
export const IsDicomUid = decorator(
  'isDicomUid',
  (v) => typeof v === 'string' && isValidUid(v),
  (p) => `${p} must be a DICOM UID: digits and dots, no leading zeros, at most 64 characters (PS3.5 9.1)`,
);
/** CS VR, PS3.5 6.2: upper-case letters, digits, space and underscore, 16 characters at most. */
export const IsCodeString = decorator(
  'isCodeString',
  (v) => typeof v === 'string' && /^[A-Z0-9 _]{1,16}$/.test(v) && v.trim().length > 0,
  (p) => `${p} must be a DICOM code string: 1-16 of A-Z 0-9 space _ (PS3.5 6.2 CS)`,
);
