import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Audited, auditStudies, AuthUser, CurrentUser, RequirePermission } from '@pacs/auth';
import { DeidProfileDto } from './dto/deid-profile.dto';
import { DeidentifiedStudy, StudyDeidentifier } from './study-deidentifier';

/** De-identified copies of stored studies (PS3.15 Annex E), stored beside the originals. */
@ApiTags('de-identification')
@Controller('api/studies')
@RequirePermission('study:deidentify')
export class DeidController {
  constructor(private readonly studies: StudyDeidentifier) {}

  /**
   * Audited as DICOM Instances Accessed with action Create (PS3.15 A.5.3.2), naming the original
   * and the copy: instances are created from stored ones and stay in the archive, which is
   * neither an Export (A.5.3.4: data leaving for media or another system) nor a transfer.
   */
  @Post(':study/deidentify')
  @HttpCode(200)
  @Audited('instances-accessed', 'C', { studies: ['study-param', 'handler-studies'] })
  @ApiOperation({
    summary: 'Store a de-identified copy of a study',
    description:
      'Applies the Basic Application Level Confidentiality Profile (PS3.15 E.1, Table E.1-1) with the options asked for to every instance ' +
      'and stores the copies as a new study beside the original. Pseudonyms (UIDs, patient ID and name, date shift) derive from ' +
      'PACS_DEID_SECRET, so one study or patient always gets the same ones. Pixel data is copied unchanged.',
  })
  @ApiParam({ name: 'study', description: 'Study Instance UID of the original' })
  @ApiOkResponse({ description: 'The copy: { sourceStudyUid, studyUid, instances }' })
  @ApiNotFoundResponse({ description: 'No such study' })
  @ApiConflictResponse({ description: 'PACS_DEID_SECRET is not set' })
  @ApiUnprocessableEntityResponse({ description: 'An instance has Burned In Annotation YES and the option allowing it was not given; nothing is stored' })
  async deidentify(
    @Param('study') studyUid: string,
    @Body() body: DeidProfileDto,
    @Req() req: FastifyRequest,
    @CurrentUser() user?: AuthUser,
  ): Promise<DeidentifiedStudy> {
    const result = await this.studies.deidentifyStudy(studyUid, { profile: body.profile, options: body.options ?? [] }, { username: user?.username, ip: req.ip });
    auditStudies(req, [result.studyUid]);
    return result;
  }
}
