import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { DeidProfileDto } from '@pacs/deid';

/** PS3.5 9.1: digits and dots, no leading zero in a component, 64 characters at most. */
const UID = /^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/;

export class ExportRequestDto {
  @ApiProperty({ type: [String], description: 'Study Instance UIDs, 1 to 1000', example: ['1.2.840.113619.2.55.3.604688119.969.1268071029.320'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  @Matches(UID, { each: true, message: 'each of studies must be a UID (digits and dots)' })
  studies!: string[];

  @ApiProperty({ type: DeidProfileDto, required: false, description: 'De-identify the files (PS3.15 E.1); permission study:deidentify' })
  @IsOptional()
  @ValidateNested()
  @Type(() => DeidProfileDto)
  deidentify?: DeidProfileDto;
}
