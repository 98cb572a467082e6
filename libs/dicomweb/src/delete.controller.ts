import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited, RequirePermission } from '@pacs/auth';
import { DeletionService } from '@pacs/index';
import { ApiUidParams } from './dicomweb-api.decorators';

/**
 * Deletion of a study, a series or an instance (not part of PS3.18; the same resource paths as
 * WADO-RS, as dcm4chee and Orthanc offer). Rows go atomically, then the blobs; 204 when done.
 */
@ApiTags('dicomweb: delete')
@ApiNotFoundResponse({ description: 'No such study, series or instance' })
@Controller('dicomweb/studies')
@RequirePermission('study:delete')
export class DeleteController {
  constructor(private readonly deletion: DeletionService) {}

  @Delete(':study')
  @Audited('study-deleted', 'D', { studies: ['study-param'] })
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a study', description: 'Its series and instances, and the patient when it has no other study.' })
  @ApiUidParams('study')
  @ApiNoContentResponse({ description: 'Deleted' })
  async deleteStudy(@Param('study') studyUid: string): Promise<void> {
    await this.deletion.delete({ studyUid });
  }

  @Delete(':study/series/:series')
  @Audited('study-deleted', 'D', { studies: ['study-param'] })
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a series', description: 'The study goes too when this was its last series.' })
  @ApiUidParams('study', 'series')
  @ApiNoContentResponse({ description: 'Deleted' })
  async deleteSeries(@Param('study') studyUid: string, @Param('series') seriesUid: string): Promise<void> {
    await this.deletion.delete({ studyUid, seriesUid });
  }

  @Delete(':study/series/:series/instances/:instance')
  @Audited('study-deleted', 'D', { studies: ['study-param'] })
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an instance', description: 'Counters and ModalitiesInStudy are recomputed; an emptied series or study goes.' })
  @ApiUidParams('study', 'series', 'instance')
  @ApiNoContentResponse({ description: 'Deleted' })
  async deleteInstance(
    @Param('study') studyUid: string,
    @Param('series') seriesUid: string,
    @Param('instance') sopInstanceUid: string,
  ): Promise<void> {
    await this.deletion.delete({ studyUid, seriesUid, sopInstanceUid });
  }
}
