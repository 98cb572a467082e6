import {
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidationOptions,
} from 'class-validator';
import { DIMSE_SERVICES, isAeTitle } from '@pacs/config';

/** AE VR, PS3.5 6.2: 1-16 characters, no backslash or control characters, not all spaces. */
export function IsAeTitle(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isAeTitle',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `${String(propertyName)} must be an AE title (1-16 characters, no backslash or control characters)`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isAeTitle(value) },
    });
}

/** Everything of a peer except its AE title (the body of PUT /api/peers/:aeTitle). */
export class PeerSettingsDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(253)
  host: string;

  @IsInt()
  @Min(1)
  @Max(65535)
  port: number;

  @IsArray()
  @ArrayUnique()
  @IsIn(DIMSE_SERVICES, { each: true, message: `each service must be one of: ${DIMSE_SERVICES.join(', ')}` })
  services: string[];

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  description?: string | null;
}

/** PUT /api/peers/:aeTitle: the AE title may be repeated in the body, and must then match. */
export class UpdatePeerDto extends PeerSettingsDto {
  @IsOptional()
  @IsAeTitle()
  aeTitle?: string;
}

/** POST /api/peers and PUT /api/peers (upsert). */
export class PeerDto extends PeerSettingsDto {
  @IsAeTitle()
  aeTitle: string;
}

/** What the API shows of a peer. */
export interface PeerView {
  aeTitle: string;
  host: string;
  port: number;
  services: string[];
  description: string | null;
}
