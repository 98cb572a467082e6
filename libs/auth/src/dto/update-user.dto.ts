import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ROLES } from '../permissions';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../users.service';

/** PATCH /api/users/{username}: what is given changes, the rest stays. */
export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES, isArray: true, minItems: 1, example: ['radiologist'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(ROLES, { each: true, message: `each role must be one of: ${ROLES.join(', ')}` })
  roles?: string[];

  @ApiPropertyOptional({ description: 'true: no login, and tokens already issued stop working', example: true })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

/** POST /api/users/{username}/password: an administrator sets a new password. */
export class ResetPasswordDto {
  @ApiProperty({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH, format: 'password', example: 'another horse battery staple' })
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(MAX_PASSWORD_LENGTH)
  password: string;
}
