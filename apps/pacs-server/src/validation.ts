import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/**
 * One request-body validation for every route (class-validator DTOs): unknown fields are
 * refused, and the 400 names every broken rule as `{ error: 'invalid-request', message }`.
 */
export function requestValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors: ValidationError[]) =>
      new BadRequestException({ error: 'invalid-request', message: describe(errors).join('; ') }),
  });
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => [...Object.values(e.constraints ?? {}), ...describe(e.children ?? [])]);
}
