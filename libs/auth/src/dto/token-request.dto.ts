import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class TokenRequestDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  username: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password: string;
}
