import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Audited, RequirePermission } from '@pacs/auth';
import type { AuditEvent } from './audit-event';
import { chooseExportFormat, EXPORT_MEDIA_TYPES, exportStream } from './audit-export';
import type { AuditFilter } from './audit.repository';
import { AuditService, VerifyResult } from './audit.service';
import { AuditExportQueryDto, AuditPageQueryDto, AuditQueryDto } from './dto/audit-query.dto';

const DEFAULT_LIMIT = 100;

export interface AuditPage {
  items: AuditEvent[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** The auditors' API: the trail, its exports and its integrity check. */
@ApiTags('audit')
@Controller('api/audit')
@RequirePermission('audit:read')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Audited('audit-log-used', 'R')
  @ApiOperation({ summary: 'Search audit events', description: 'Oldest first, keyset pages by id: pass nextCursor as cursor for the next page.' })
  @ApiOkResponse({ description: '{ items: AuditEvent[], nextCursor: string | null }' })
  async list(@Query() q: AuditPageQueryDto): Promise<AuditPage> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const rows = await this.audit.find({ ...filterOf(q), afterId: q.cursor ? Number(q.cursor) : undefined }, limit + 1);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null };
  }

  @Get('verify')
  @Audited('audit-log-used', 'R')
  @ApiOperation({
    summary: 'Verify the hash chain',
    description: 'Recomputes every hash in chain order; names the first event that does not match. Store events are committed with their instance and sealed into the chain within about a second; until then they are counted as "unsealed".',
  })
  @ApiOkResponse({ description: '{"intact": true} or {"intact": false, "brokenAt": <event id>}, with "unsealed": <n> while staged events wait for the sealer' })
  verify(): Promise<VerifyResult> {
    return this.audit.verify();
  }

  @Get('export')
  @Audited('audit-log-used', 'R')
  @ApiOperation({ summary: 'Export audit events (streamed)', description: 'format=csv|ndjson, or Accept: text/csv | application/x-ndjson (default NDJSON). Same filters as the search, no paging.' })
  @ApiProduces(EXPORT_MEDIA_TYPES.ndjson, EXPORT_MEDIA_TYPES.csv)
  @ApiOkResponse({ description: 'One event per line (NDJSON) or CSV with a header row' })
  async export(@Query() q: AuditExportQueryDto, @Headers('accept') accept: string | undefined, @Res() res: FastifyReply): Promise<void> {
    const format = chooseExportFormat(q.format, accept);
    const type = EXPORT_MEDIA_TYPES[format];
    await res
      .header('content-type', `${type}; charset=utf-8`)
      .header('content-disposition', `attachment; filename="audit.${format === 'csv' ? 'csv' : 'ndjson'}"`)
      .send(exportStream(this.audit.stream(filterOf(q)), format));
  }
}

function filterOf(q: AuditQueryDto): AuditFilter {
  return {
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
    actor: q.actor,
    patientId: q.patientId,
    studyUid: q.studyUid,
    action: q.action,
    outcome: q.outcome,
    source: q.source,
  };
}
