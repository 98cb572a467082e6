import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn } from 'class-validator';
import { DEID_OPTIONS, DeidOption } from '../profile-table';

/** A de-identification profile: PS3.15 E.1 Basic Profile and the options offered (E.3). */
export class DeidProfileDto {
  @ApiProperty({ enum: ['basic'], description: 'Basic Application Level Confidentiality Profile (PS3.15 E.1)' })
  @IsIn(['basic'])
  profile!: 'basic';

  @ApiProperty({
    enum: DEID_OPTIONS,
    isArray: true,
    required: false,
    description:
      'modified-dates: Retain Longitudinal Temporal Information with Modified Dates (E.3.6, dates moved back per patient); ' +
      'clean-descriptors: Clean Descriptors (E.3.5); allow-burned-in-annotation: de-identify instances flagged Burned In Annotation YES (pixels are not touched)',
  })
  @IsArray()
  @ArrayMaxSize(DEID_OPTIONS.length)
  @IsIn(DEID_OPTIONS, { each: true })
  options: DeidOption[] = [];
}
