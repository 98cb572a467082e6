import { Controller, Delete, Get, HttpCode, Param, Query, Req } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Audited, auditStudies, RequirePermission } from '@pacs/auth';
import { RejectedInstance, RejectionService } from '@pacs/index';
import { RejectionsQueryDto } from './dto/rejections-query.dto';

const DEFAULT_LIMIT = 100;

/** A rejected instance as the API shows it (no patient data). */
export type RejectionView = Omit<RejectedInstance, 'patientId'>;

/**
 * Instances hidden by IHE IOCM Rejection Notes (a Key Object Selection with a CID 7011 title,
 * stored over C-STORE or STOW-RS), restorable until PACS_REJECTED_RETENTION_DAYS have passed.
 * The same permission as deleting: a rejection is a deletion that can still be undone.
 */
@ApiTags('rejections')
@Controller('api/rejections')
@RequirePermission('study:delete')
export class RejectionsController {
  constructor(private readonly rejections: RejectionService) {}

  @Get()
  @Audited('query', 'E')
  @ApiOperation({ summary: 'List rejected instances', description: 'Newest rejection first: study, series and SOP Instance UID, reason code (CID 7011), when and by whom.' })
  @ApiOkResponse({ description: 'RejectedInstance[]: studyUid, seriesUid, sopInstanceUid, sopClassUid, reasonCode, reasonMeaning, rejectionNoteUid, rejectedBy, rejectedAt' })
  async list(@Query() q: RejectionsQueryDto): Promise<RejectionView[]> {
    const rows = await this.rejections.list({ studyUid: q.studyUid, limit: q.limit ?? DEFAULT_LIMIT, offset: q.offset ?? 0 });
    return rows.map(({ patientId: _patientId, ...view }) => view);
  }

  @Delete(':sopInstanceUid')
  @HttpCode(204)
  @Audited('instances-accessed', 'U', { studies: ['handler-studies'] })
  @ApiOperation({
    summary: 'Restore a rejected instance',
    description: 'The instance is back on every query and retrieve path, under its series and study (re-created if the rejection emptied them).',
  })
  @ApiParam({ name: 'sopInstanceUid', description: 'SOP Instance UID of the rejected instance' })
  @ApiNoContentResponse({ description: 'Restored' })
  @ApiNotFoundResponse({ description: 'No such rejected instance (never rejected, restored already, or deleted after retention)' })
  async restore(@Param('sopInstanceUid') sopInstanceUid: string, @Req() req: FastifyRequest): Promise<void> {
    const restored = await this.rejections.restore(sopInstanceUid);
    auditStudies(req, [restored.studyUid]);
  }
}
