import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited, RequirePermission } from '@pacs/auth';
import { WebhookDto, WebhookView } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

/** Webhooks: which systems are told of which study events. Admin only. */
@ApiTags('webhooks')
@Controller('api/webhooks')
@RequirePermission('admin')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @ApiOperation({ summary: 'List webhooks (without their secrets)' })
  @ApiOkResponse({ type: WebhookView, isArray: true })
  list(): Promise<WebhookView[]> {
    return this.webhooks.list();
  }

  @Post()
  @HttpCode(201)
  @Audited('network-configuration', 'C')
  @ApiOperation({ summary: 'Create a webhook; the answer holds its secret, shown this once' })
  @ApiCreatedResponse({ type: WebhookView })
  @ApiBadRequestResponse({ description: 'Not an http(s) URL, an unknown event, or a secret that is not 16-256 printable ASCII characters' })
  create(@Body() body: WebhookDto): Promise<WebhookView> {
    return this.webhooks.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one webhook (without its secret)' })
  @ApiOkResponse({ type: WebhookView })
  @ApiNotFoundResponse({ description: 'No such webhook' })
  get(@Param('id') id: string): Promise<WebhookView> {
    return this.webhooks.get(id);
  }

  @Put(':id')
  @Audited('network-configuration', 'U')
  @ApiOperation({ summary: 'Replace a webhook (its secret is kept when none is given)' })
  @ApiOkResponse({ type: WebhookView })
  @ApiBadRequestResponse({ description: 'Not an http(s) URL, an unknown event, or a secret that is not 16-256 printable ASCII characters' })
  @ApiNotFoundResponse({ description: 'No such webhook' })
  replace(@Param('id') id: string, @Body() body: WebhookDto): Promise<WebhookView> {
    return this.webhooks.replace(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Audited('network-configuration', 'D')
  @ApiOperation({ summary: 'Delete a webhook (its queued deliveries are dropped)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such webhook' })
  async remove(@Param('id') id: string): Promise<void> {
    await this.webhooks.remove(id);
  }
}
