import { registerDecorator, ValidationOptions } from 'class-validator';

/**
 * AE VR, PS3.5 6.2: 16 characters at most, of the default character repertoire without backslash
 * (the value separator) or control characters, and not all spaces (leading and trailing spaces
 * are not significant).
 */
export function isAeTitle(value: string): boolean {
  return value.length > 0 && value.length <= 16 && /^[\x20-\x5b\x5d-\x7e]+$/.test(value) && value.trim().length > 0;
}

/** class-validator decorator: the property is a string that is an AE title (isAeTitle). */
export function IsAeTitle(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isAeTitle',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: (args) => `${args.property} must be an AE title: 1-16 characters, no backslash or control characters (PS3.5 6.2 AE)`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isAeTitle(value) },
    });
}
