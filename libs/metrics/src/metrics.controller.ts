import { Controller, Get, Headers, NotFoundException, Res, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Public } from '@pacs/auth';
import { PacsConfig } from '@pacs/config';
import type { FastifyReply } from 'fastify';
import { PacsMetrics } from './pacs-metrics';
import { scrapeAccess } from './scrape-access';

/** Prometheus exposition of the server's metrics (ARCHITECTURE.md, Routes). */
@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: PacsMetrics,
    private readonly config: PacsConfig,
  ) {}

  // @Public: no user token; the scrape token is checked here instead (scrapeAccess).
  @Public()
  @Get()
  @ApiBearerAuth('metrics-token')
  @ApiOkResponse({ description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': {} } })
  @ApiUnauthorizedResponse({ description: 'no or wrong scrape token' })
  @ApiNotFoundResponse({ description: 'metrics are off (PACS_METRICS_TOKEN unset)' })
  @ApiOperation({
    summary: 'Prometheus metrics',
    description: 'Text exposition format 0.0.4. Needs `Authorization: Bearer <PACS_METRICS_TOKEN>`; 404 while that setting is unset.',
  })
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const access = scrapeAccess(this.config.metrics.token, authorization);
    if (access === 'disabled') throw new NotFoundException({ error: 'metrics-disabled', message: 'metrics are off: set PACS_METRICS_TOKEN to enable /metrics' });
    if (access === 'unauthenticated') throw new UnauthorizedException({ error: 'unauthenticated', message: 'send Authorization: Bearer <PACS_METRICS_TOKEN>' });
    const text = await this.metrics.exposition();
    await reply.header('content-type', this.metrics.contentType).send(text);
  }
}
