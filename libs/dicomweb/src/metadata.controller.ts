import { applyDecorators, Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiNotAcceptableResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import { promisify } from 'node:util';
import { createGzip, gzip as gzipCallback } from 'node:zlib';
import { Audited, RequirePermission } from '@pacs/auth';
import { ApiUidParams, DICOM_JSON, DICOM_JSON_ARRAY } from './dicomweb-api.decorators';
import { negotiateJson } from './json-negotiation';
import { gzipEtag, ifNoneMatch } from './metadata-render';
import { MetadataBody, MetadataService } from './metadata.service';
import { dicomWebBaseUrl } from './retrieve-url';

function ApiMetadata(summary: string): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary }),
    ApiOkResponse({
      schema: DICOM_JSON_ARRAY,
      description:
        'One DICOM JSON dataset per instance, in series and instance order; Pixel Data as a BulkDataURI. ' +
        'ETag (If-None-Match → 304) and gzip (Accept-Encoding)',
    }),
  );
}

const gzipAsync = promisify(gzipCallback);

/**
 * WADO-RS Retrieve Metadata (PS3.18 10.4.1.1.2) for a study, a series or an instance. Series
 * bodies come from the PostgreSQL cache (MetadataService), with an ETag and a stored gzip.
 */
@ApiTags('dicomweb: WADO-RS')
@ApiProduces(DICOM_JSON)
@ApiNotFoundResponse({ description: 'No such study, series or instance' })
@ApiNotAcceptableResponse({ description: 'Accept allows neither application/dicom+json nor application/json' })
@Controller('dicomweb/studies')
@RequirePermission('study:read')
export class MetadataController {
  constructor(private readonly metadata: MetadataService) {}

  @Get(':study/metadata')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiMetadata('Retrieve the metadata of a study')
  @ApiUidParams('study')
  async studyMetadata(@Param('study') studyUid: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const type = negotiateJson(req);
    await send(req, res, type, await this.metadata.study(studyUid, dicomWebBaseUrl(req)));
  }

  @Get(':study/series/:series/metadata')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiMetadata('Retrieve the metadata of a series (cached)')
  @ApiUidParams('study', 'series')
  async seriesMetadata(
    @Param('study') studyUid: string,
    @Param('series') seriesUid: string,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const type = negotiateJson(req);
    await send(req, res, type, await this.metadata.series(studyUid, seriesUid, dicomWebBaseUrl(req)));
  }

  @Get(':study/series/:series/instances/:instance/metadata')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiMetadata('Retrieve the metadata of an instance')
  @ApiUidParams('study', 'series', 'instance')
  async instanceMetadata(
    @Param('study') studyUid: string,
    @Param('series') seriesUid: string,
    @Param('instance') sopInstanceUid: string,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const type = negotiateJson(req);
    await send(req, res, type, await this.metadata.instance(studyUid, seriesUid, sopInstanceUid, dicomWebBaseUrl(req)));
  }
}

/**
 * 304 when If-None-Match holds the current tag (RFC 9110 13.1.2); otherwise the body, gzipped
 * when the client prefers gzip (RFC 9110 12.5.3). Private: the metadata holds patient data.
 */
async function send(req: FastifyRequest, res: FastifyReply, type: string, meta: MetadataBody): Promise<void> {
  const gzip = new Negotiator(req).encoding(['gzip', 'identity']) === 'gzip';
  res.header('etag', gzip ? gzipEtag(meta.etag) : meta.etag);
  res.header('vary', 'Accept, Accept-Encoding').header('cache-control', 'private, no-cache');
  if (ifNoneMatch(req.headers['if-none-match'], meta.etag)) {
    await res.status(304).send();
    return;
  }
  res.status(200).header('content-type', type);
  if (!gzip) {
    await res.send(await meta.plain());
    return;
  }
  res.header('content-encoding', 'gzip');
  if (meta.gzip) {
    await res.send(meta.gzip);
    return;
  }
  const plain = await meta.plain();
  await res.send(Buffer.isBuffer(plain) ? await gzipAsync(plain) : plain.pipe(createGzip()));
}
