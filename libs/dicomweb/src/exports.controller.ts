import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiForbiddenResponse, ApiUnprocessableEntityResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Audited, auditStudies, AuthUser, CurrentUser, RequirePermission } from '@pacs/auth';
import { DomainError } from '@pacs/errors';
import { DeidService } from '@pacs/deid';
import { RetrieveService } from '@pacs/index';
import { ExportRequestDto } from './dto/export-request.dto';
import { APPLICATION_ZIP, sendZip } from './zip-retrieve';

/** Several studies handed out at once as media: one ZIP with one DICOMDIR (the same as a study's `Accept: application/zip`). */
@ApiTags('exports')
@Controller('api/exports')
@RequirePermission('study:read')
export class ExportsController {
  constructor(
    private readonly retrieve: RetrieveService,
    private readonly deid: DeidService,
  ) {}

  @Post()
  @HttpCode(200)
  @Audited('export', 'R', { studies: ['handler-studies'] })
  @ApiOperation({
    summary: 'Download studies as one ZIP with a DICOMDIR',
    description:
      'Streams a ZIP of the stored Part 10 files of every study named, under one DICOMDIR, with its exact Content-Length. ' +
      'With `deidentify` (needs study:deidentify and PACS_DEID_SECRET) each file is a de-identified copy (PS3.15 E.1, as ' +
      'POST /api/studies/{study}/deidentify makes) and the DICOMDIR holds the copies\' values; the length is then not known in advance.',
  })
  @ApiProduces(APPLICATION_ZIP)
  @ApiOkResponse({ description: 'The ZIP', content: { [APPLICATION_ZIP]: { schema: { type: 'string', format: 'binary' } } } })
  @ApiNotFoundResponse({ description: 'A study named is not held (none is sent)' })
  @ApiForbiddenResponse({ description: 'deidentify asked without permission study:deidentify' })
  @ApiConflictResponse({ description: 'deidentify asked and PACS_DEID_SECRET is not set' })
  @ApiUnprocessableEntityResponse({ description: 'deidentify asked and an instance has Burned In Annotation YES without the option allowing it' })
  async export(@Body() body: ExportRequestDto, @Req() req: FastifyRequest, @Res() res: FastifyReply, @CurrentUser() user?: AuthUser): Promise<void> {
    const studyUids = [...new Set(body.studies)];
    auditStudies(req, studyUids);
    if (!body.deidentify) return sendZip(this.retrieve, { studyUids }, res);
    if (!user?.permissions.includes('study:deidentify')) throw new DomainError('forbidden', 'a de-identified export needs permission study:deidentify');
    const profile = { profile: body.deidentify.profile, options: body.deidentify.options ?? [] };
    await this.deid.preflight(studyUids, profile); // refuses before the first byte
    await sendZip(this.retrieve, { studyUids }, res, { deid: this.deid, profile });
  }
}
