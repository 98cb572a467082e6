import { ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, IsArray, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ROLES } from '../permissions';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, USERNAME_PATTERN } from '../users.service';

export class CreateUserDto {
  @ApiProperty({ example: 'ris-gateway', pattern: USERNAME_PATTERN.source })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 1-64 characters of A-Z a-z 0-9 . _ @ -' })
  username: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH, format: 'password' })
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(MAX_PASSWORD_LENGTH)
  password: string;

  @ApiProperty({ enum: ROLES, isArray: true, minItems: 1, example: ['ris'] })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(ROLES, { each: true, message: `each role must be one of: ${ROLES.join(', ')}` })
  roles: string[];
}

/** What the API shows of a user: never the hash. */
export class UserView {
  @ApiProperty({ example: 'ris-gateway' })
  username: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['ris'] })
  roles: string[];

  @ApiProperty({ example: false })
  disabled: boolean;
}
