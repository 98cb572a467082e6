import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsUrl, Matches, MaxLength } from 'class-validator';
import { WEBHOOK_EVENTS, WebhookEvent } from '../webhook';

/** POST /api/webhooks and PUT /api/webhooks/{id}. */
export class WebhookDto {
  @ApiProperty({ description: 'Where events are POSTed (http or https)', example: 'https://ris.example.org/pacs-events' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an http or https URL' })
  @MaxLength(2048)
  url: string;

  @ApiProperty({ description: 'Events to deliver', enum: WEBHOOK_EVENTS, isArray: true, example: ['study.received', 'instance.rejected'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true, message: `events must each be one of ${WEBHOOK_EVENTS.join(', ')}` })
  events: WebhookEvent[];

  @ApiPropertyOptional({ description: 'HMAC-SHA256 key of X-PACS-Signature (16-256 printable ASCII characters); generated on creation and kept on replacement when left out', minLength: 16, maxLength: 256 })
  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,256}$/, { message: 'secret must be 16-256 printable ASCII characters' })
  secret?: string;

  @ApiPropertyOptional({ description: 'False stops deliveries, queued ones included (default true)', example: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

/** A webhook as the API shows it; the secret only in the answer to its creation. */
export class WebhookView {
  @ApiProperty({ example: '3f1c2a8e-6a53-4d4e-9a56-0c1b7f0d2e11' })
  id: string;

  @ApiProperty({ example: 'https://ris.example.org/pacs-events' })
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true })
  events: WebhookEvent[];

  @ApiProperty({ example: true })
  enabled: boolean;

  @ApiPropertyOptional({ description: 'Only in the answer to POST: keep it to check X-PACS-Signature' })
  secret?: string;
}
