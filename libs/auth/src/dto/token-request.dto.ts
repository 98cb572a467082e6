import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { TokenResponse } from '../token.service';

export class TokenRequestDto {
  @ApiProperty({ example: 'ris-gateway', maxLength: 64 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  username: string;

  @ApiProperty({ example: 'correct horse battery staple', maxLength: 1024, format: 'password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password: string;
}

/** The OpenAPI shape of TokenResponse (OAuth 2.0 token response, RFC 6749 5.1). */
export class TokenResponseDto implements TokenResponse {
  @ApiProperty({ description: 'HS256 JWT to send as `Authorization: Bearer <token>`', example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…' })
  access_token: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  token_type: 'Bearer';

  @ApiProperty({ description: 'Lifetime in seconds', example: 3600 })
  expires_in: number;
}
