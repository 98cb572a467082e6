import { Controller, Get, Logger, Param, Req, Res } from '@nestjs/common';
import { ApiNotAcceptableResponse, ApiNotFoundResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PassThrough } from 'node:stream';
import { RequirePermission } from '@pacs/auth';
import { RetrieveService, StoredInstance } from '@pacs/index';
import { APPLICATION_DICOM, ApiUidParams, ApiWadoRetrieve, MULTIPART_DICOM } from './dicomweb-api.decorators';
import { multipartContentType, newBoundary, OutgoingPart, writeMultipart } from './multipart-writer';
import { negotiateWado } from './wado-negotiation';

const DICOM = 'application/dicom';

/**
 * WADO-RS Retrieve Instance(s) (PS3.18 10.4): a study, a series or one instance as
 * multipart/related application/dicom parts in their stored transfer syntax, streamed from
 * the blob store one instance after another.
 */
@ApiTags('dicomweb: WADO-RS')
@ApiProduces(MULTIPART_DICOM)
@ApiNotFoundResponse({ description: 'No such study, series or instance' })
@ApiNotAcceptableResponse({ description: 'Accept names a media type or transfer syntax that cannot be served' })
@Controller('dicomweb/studies')
@RequirePermission('study:read')
export class WadoController {
  private readonly logger = new Logger(WadoController.name);

  constructor(private readonly retrieve: RetrieveService) {}

  @Get(':study')
  @ApiWadoRetrieve('Retrieve a study')
  @ApiUidParams('study')
  retrieveStudy(@Param('study') studyUid: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.send({ studyUid }, req, res);
  }

  @Get(':study/series/:series')
  @ApiWadoRetrieve('Retrieve a series')
  @ApiUidParams('study', 'series')
  retrieveSeries(
    @Param('study') studyUid: string,
    @Param('series') seriesUid: string,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    return this.send({ studyUid, seriesUid }, req, res);
  }

  @Get(':study/series/:series/instances/:instance')
  @ApiWadoRetrieve('Retrieve an instance', 'With `Accept: application/dicom`, the bare Part 10 body instead of multipart.')
  @ApiUidParams('study', 'series', 'instance')
  @ApiProduces(MULTIPART_DICOM, APPLICATION_DICOM)
  retrieveInstance(
    @Param('study') studyUid: string,
    @Param('series') seriesUid: string,
    @Param('instance') sopInstanceUid: string,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    return this.send({ studyUid, seriesUid, sopInstanceUid }, req, res);
  }

  /** 404 (NotFoundError) and 406 are decided before the status line is sent; then we stream. */
  private async send(
    scope: { studyUid: string; seriesUid?: string; sopInstanceUid?: string },
    req: FastifyRequest,
    res: FastifyReply,
  ): Promise<void> {
    const instances = await this.retrieve.findInstances(scope);
    const syntaxes = new Set(instances.map((i) => i.transferSyntaxUid));
    const rendering = negotiateWado(req.headers.accept, syntaxes, scope.sopInstanceUid !== undefined);
    if (rendering === 'single') {
      const [instance] = instances;
      await res.status(200).header('content-type', partContentType(instance)).send(this.retrieve.open(instance));
      return;
    }
    const boundary = newBoundary();
    const body = new PassThrough();
    res.status(200).header('content-type', multipartContentType(DICOM, boundary));
    writeMultipart(body, boundary, instances.map((i) => this.partOf(i))).catch((err) =>
      this.logger.warn({ studyUid: scope.studyUid, err: (err as Error).message }, 'WADO-RS response cut short'),
    );
    await res.send(body);
  }

  private partOf(instance: StoredInstance): OutgoingPart {
    return { contentType: partContentType(instance), open: () => this.retrieve.open(instance) };
  }
}

/** PS3.18 8.7.3.5: each part names its transfer syntax. */
function partContentType(instance: StoredInstance): string {
  return `${DICOM}; transfer-syntax=${instance.transferSyntaxUid}`;
}
