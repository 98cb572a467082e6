import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { DIMSE_SERVICES, MAX_MOVE_ASSOCIATIONS } from '@pacs/config';
import { DeidProfileDto } from '@pacs/deid';
import { IsAeTitle } from '@pacs/dicom';

/** Everything of a peer except its AE title (the body of PUT /api/peers/:aeTitle). */
export class PeerSettingsDto {
  @ApiProperty({ description: 'Host name or IP address (used when we send to it, e.g. as a C-MOVE destination)', example: 'ct1.radiology.local', maxLength: 253 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(253)
  host: string;

  @ApiProperty({ description: 'DIMSE port of the peer', example: 104, minimum: 1, maximum: 65535 })
  @IsInt()
  @Min(1)
  @Max(65535)
  port: number;

  @ApiProperty({ description: 'DIMSE services this AE may use when it associates with us', enum: DIMSE_SERVICES, isArray: true, example: ['echo', 'store', 'move'] })
  @IsArray()
  @ArrayUnique()
  @IsIn(DIMSE_SERVICES, { each: true, message: `each service must be one of: ${DIMSE_SERVICES.join(', ')}` })
  services: string[];

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1024, example: 'CT scanner, room 1' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  description?: string | null;

  @ApiPropertyOptional({
    description: 'Accept associations from this AE title only from `host` (its addresses, when a name), even with PACS_DIMSE_CHECK_HOST off. Default false.',
    example: true,
  })
  @IsOptional()
  @IsBoolean()
  checkHost?: boolean;

  @ApiPropertyOptional({
    description:
      'Associations a C-MOVE to this peer opens at once, each sending the next instance when it is free. More than 1 only for a destination that accepts concurrent associations (most PACS and workstations); one that takes one at a time still receives everything, over the first. Default 1.',
    minimum: 1,
    maximum: MAX_MOVE_ASSOCIATIONS,
    example: 2,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_MOVE_ASSOCIATIONS)
  moveAssociations?: number;

  @ApiPropertyOptional({
    description:
      'Open our associations to this peer (C-MOVE sub-operations, Storage Commitment results) over TLS (PS3.15 B.1): its certificate must chain to PACS_DIMSE_TLS_CA and name its host; ours (PACS_DIMSE_TLS_CERT) is presented as the client certificate. Default false.',
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  tls?: boolean;

  @ApiPropertyOptional({
    type: DeidProfileDto,
    nullable: true,
    description: 'A C-MOVE to this peer sends de-identified copies (PS3.15 E.1, see POST /api/studies/{study}/deidentify); the stored instances stay as they are. Default null (none).',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => DeidProfileDto)
  deidentify?: DeidProfileDto | null;

  @ApiPropertyOptional({
    type: DeidProfileDto,
    nullable: true,
    description: 'What this peer sends (C-STORE) is de-identified before it is stored; only the copy is kept. Default null (none).',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => DeidProfileDto)
  deidentifyOnReceive?: DeidProfileDto | null;
}

/** PUT /api/peers/:aeTitle: the AE title may be repeated in the body, and must then match. */
export class UpdatePeerDto extends PeerSettingsDto {
  @ApiPropertyOptional({ description: 'If given, must equal the AE title in the path', example: 'CT1', maxLength: 16 })
  @IsOptional()
  @IsAeTitle()
  aeTitle?: string;
}

/** PATCH /api/peers/:aeTitle: only the settings given change. */
export class PatchPeerDto extends PartialType(UpdatePeerDto) {}

/** POST /api/peers and PUT /api/peers (upsert). */
export class PeerDto extends PeerSettingsDto {
  @ApiProperty({ description: 'AE title (PS3.5 6.2, AE VR)', example: 'CT1', maxLength: 16 })
  @IsAeTitle()
  aeTitle: string;
}

/** What the API shows of a peer. */
export class PeerView {
  @ApiProperty({ example: 'CT1' })
  aeTitle: string;

  @ApiProperty({ example: 'ct1.radiology.local' })
  host: string;

  @ApiProperty({ example: 104 })
  port: number;

  @ApiProperty({ enum: DIMSE_SERVICES, isArray: true, example: ['echo', 'store', 'move'] })
  services: string[];

  @ApiProperty({ type: String, nullable: true, example: 'CT scanner, room 1' })
  description: string | null;

  @ApiProperty({ description: 'Host check for this peer alone (the global PACS_DIMSE_CHECK_HOST applies to every peer)', example: false })
  checkHost: boolean;

  @ApiProperty({ description: 'Associations a C-MOVE to this peer opens at once', example: 1 })
  moveAssociations: number;

  @ApiProperty({ description: 'Our associations to this peer go over TLS', example: false })
  tls: boolean;

  @ApiProperty({ type: DeidProfileDto, nullable: true, description: 'C-MOVE to this peer sends de-identified copies with this profile' })
  deidentify: DeidProfileDto | null;

  @ApiProperty({ type: DeidProfileDto, nullable: true, description: 'What this peer sends is de-identified with this profile before it is stored' })
  deidentifyOnReceive: DeidProfileDto | null;
}
