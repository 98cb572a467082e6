import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Audited, auditStudies, RequirePermission } from '@pacs/auth';
import { RetrieveService } from '@pacs/index';
import { ExportRequestDto } from './dto/export-request.dto';
import { APPLICATION_ZIP, sendZip } from './zip-retrieve';

/** Several studies handed out at once as media: one ZIP with one DICOMDIR (the same as a study's `Accept: application/zip`). */
@ApiTags('exports')
@Controller('api/exports')
@RequirePermission('study:read')
export class ExportsController {
  constructor(private readonly retrieve: RetrieveService) {}

  @Post()
  @HttpCode(200)
  @Audited('export', 'R', { studies: ['handler-studies'] })
  @ApiOperation({
    summary: 'Download studies as one ZIP with a DICOMDIR',
    description: 'Streams a ZIP of the stored Part 10 files of every study named, under one DICOMDIR, with its exact Content-Length.',
  })
  @ApiProduces(APPLICATION_ZIP)
  @ApiOkResponse({ description: 'The ZIP', content: { [APPLICATION_ZIP]: { schema: { type: 'string', format: 'binary' } } } })
  @ApiNotFoundResponse({ description: 'A study named is not held (none is sent)' })
  async export(@Body() body: ExportRequestDto, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const studyUids = [...new Set(body.studies)];
    auditStudies(req, studyUids);
    await sendZip(this.retrieve, { studyUids }, res);
  }
}
