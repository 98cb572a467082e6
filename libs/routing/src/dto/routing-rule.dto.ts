import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsAeTitle } from '@pacs/dicom';

/** Conditions, each a value with the DICOM wildcards * and ? (PS3.4 C.2.2.2.4); all must match. */
export class RuleConditionsDto {
  @ApiPropertyOptional({ description: 'Calling AE title of the C-STORE association (STOW-RS and import have none)', example: 'CT1' })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  callingAe?: string;

  @ApiPropertyOptional({ description: 'Modality (0008,0060)', example: 'CT' })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  modality?: string;

  @ApiPropertyOptional({ description: 'SOP Class UID (0008,0016)', example: '1.2.840.10008.5.1.4.1.1.2' })
  @IsOptional()
  @Matches(/^[0-9.*?]{1,64}$/, { message: 'sopClassUid must be a UID, with * or ? wildcards' })
  sopClassUid?: string;

  @ApiPropertyOptional({ description: 'Study Description (0008,1030)', example: '*HEAD*' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  studyDescription?: string;
}

/** PUT /api/routing-rules/{name}: everything but the name. */
export class RoutingRuleSettingsDto {
  @ApiProperty({ type: RuleConditionsDto, description: 'Which stored instances the rule forwards; {} forwards every one' })
  @ValidateNested()
  @Type(() => RuleConditionsDto)
  when: RuleConditionsDto;

  @ApiProperty({ description: 'Destination AE titles: registered peers (/api/peers) with a host, a port and the store service', example: ['AI_NODE'], isArray: true, type: String })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @ArrayUnique()
  @IsAeTitle({ each: true })
  forwardTo: string[];

  @ApiPropertyOptional({ description: 'Seconds to wait after the instance is stored before sending it (default 0)', example: 0, minimum: 0, maximum: 86400 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400)
  delaySeconds?: number;
}

/** POST /api/routing-rules. */
export class RoutingRuleDto extends RoutingRuleSettingsDto {
  @ApiProperty({ description: 'Unique name of the rule', example: 'ct-to-ai', maxLength: 64 })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'name must be 1-64 letters, digits, dots, dashes or underscores' })
  name: string;
}

/** A rule as the API shows it. */
export class RoutingRuleView {
  @ApiProperty({ example: 'ct-to-ai' })
  name: string;

  @ApiProperty({ type: RuleConditionsDto })
  when: RuleConditionsDto;

  @ApiProperty({ example: ['AI_NODE'], isArray: true, type: String })
  forwardTo: string[];

  @ApiProperty({ example: 0 })
  delaySeconds: number;
}
