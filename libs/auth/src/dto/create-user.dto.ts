import { ArrayMinSize, IsArray, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ROLES } from '../permissions';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, USERNAME_PATTERN } from '../users.service';

export class CreateUserDto {
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 1-64 characters of A-Z a-z 0-9 . _ @ -' })
  username: string;

  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(MAX_PASSWORD_LENGTH)
  password: string;

  @IsArray()
  @ArrayMinSize(1)
  @IsIn(ROLES, { each: true, message: `each role must be one of: ${ROLES.join(', ')}` })
  roles: string[];
}

/** What the API shows of a user: never the hash. */
export interface UserView {
  username: string;
  roles: string[];
  disabled: boolean;
}
