import { Controller, Get, Logger, Param, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotAcceptableResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PassThrough, Readable } from 'node:stream';
import { Audited, RequirePermission } from '@pacs/auth';
import { DomainError } from '@pacs/errors';
import { ApiUidParams } from './dicomweb-api.decorators';
import { OCTET_STREAM } from './frame-media-types';
import { parseFrameList } from './frame-list';
import { FrameRepresentation, negotiateBulkData, negotiateFrames } from './frame-negotiation';
import { multipartContentType, newBoundary, OutgoingPart, writeMultipart } from './multipart-writer';
import { PixelService } from './pixel.service';

const PIXEL_DATA_TAG = '7FE00010';
const BINARY = { schema: { type: 'string', format: 'binary' } } as const;

/**
 * WADO-RS Retrieve Frames (PS3.18 10.4.1.1.3) and Retrieve Bulk Data (PS3.18 10.4.1.1.5,
 * the BulkDataURIs of the metadata): multipart/related, one part per frame, read from the blob
 * by byte range: compressed frames decoded to uncompressed application/octet-stream by default,
 * or as stored; bulk data as stored.
 */
@ApiTags('dicomweb: WADO-RS')
@ApiNotFoundResponse({ description: 'No such study, series, instance, frame or element' })
@ApiNotAcceptableResponse({ description: 'Accept names only media types or transfer syntaxes that cannot be produced (no encoder, or no decoder for the stored syntax)' })
@Controller('dicomweb/studies')
@RequirePermission('study:read')
export class FramesController {
  private readonly logger = new Logger(FramesController.name);

  constructor(private readonly pixels: PixelService) {}

  @Get(':study/series/:series/instances/:instance/frames/:frames')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiOperation({
    summary: 'Retrieve frames',
    description:
      'By default (`application/octet-stream` without `transfer-syntax`, or any type) uncompressed little endian pixels, ' +
      'rows × columns × samples × bytes; compressed frames are decoded. As stored: `transfer-syntax=*` or the stored syntax, ' +
      'or the stored syntax\'s media type (`image/jpeg`, `image/jls`, `image/jp2`, `image/jphc`, `image/jxl`, `image/x-dicom-rle`). ' +
      'Each part names its `transfer-syntax`.',
  })
  @ApiUidParams('study', 'series', 'instance')
  @ApiParam({ name: 'frames', description: 'Comma-separated 1-based frame numbers', example: '1,2' })
  @ApiProduces('multipart/related; type="application/octet-stream"', 'multipart/related; type="image/jpeg"')
  @ApiOkResponse({ ...BINARY, description: 'One part per frame, in the order asked' })
  @ApiBadRequestResponse({ description: 'Malformed frame list' })
  async retrieveFrames(
    @Param('study') studyUid: string,
    @Param('series') seriesUid: string,
    @Param('instance') sopInstanceUid: string,
    @Param('frames') frames: string,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const frameNumbers = parseFrameList(frames);
    const [instance] = await this.pixels.findInstances({ studyUid, seriesUid, sopInstanceUid });
    const pixel = await this.pixels.open(instance);
    const layout = await this.pixels.layout(pixel);
    const representation = negotiateFrames(req.headers.accept, layout.transferSyntaxUid, layout.encapsulated);
    this.pixels.checkFrameNumbers(pixel, layout, frameNumbers);
    const decode = layout.encapsulated && representation.transferSyntaxUid !== layout.transferSyntaxUid;
    // Frames are decoded one at a time as the response is written; the first one before the
    // status line, so that a frame no codec can decode is a 406.
    const first = decode ? await this.pixels.decodedFrame(pixel, layout, frameNumbers[0]) : undefined;
    const frame = (n: number, i: number): Readable => {
      if (first && i === 0) return Readable.from([first]);
      return decode ? this.pixels.decodedFrameStream(pixel, layout, n) : this.pixels.frameStream(pixel, layout, n);
    };
    const parts = frameNumbers.map((n, i) => ({ contentType: partType(representation), open: () => frame(n, i) }));
    await this.sendMultipart(res, representation.mediaType, parts, sopInstanceUid);
  }

  @Get(':study/series/:series/instances/:instance/bulkdata/:tag')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiOperation({
    summary: 'Retrieve bulk data',
    description:
      'The value of a top-level element named by its tag (8 hex digits), as the BulkDataURI of the metadata gives it. ' +
      'Pixel Data: uncompressed, all frames in one part (little endian); encapsulated, one part per frame in the stored syntax.',
  })
  @ApiUidParams('study', 'series', 'instance')
  @ApiParam({ name: 'tag', description: 'Attribute tag, 8 hex digits', example: PIXEL_DATA_TAG })
  @ApiProduces('multipart/related; type="application/octet-stream"')
  @ApiOkResponse({ ...BINARY, description: 'The element value as application/octet-stream part(s)' })
  @ApiBadRequestResponse({ description: 'Malformed tag' })
  async retrieveBulkData(
    @Param('study') studyUid: string,
    @Param('series') seriesUid: string,
    @Param('instance') sopInstanceUid: string,
    @Param('tag') tag: string,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    if (!/^[0-9A-Fa-f]{8}$/.test(tag)) throw new DomainError('bad-request', `bulk data tag "${tag}" is not 8 hex digits`);
    const [instance] = await this.pixels.findInstances({ studyUid, seriesUid, sopInstanceUid });
    const pixel = await this.pixels.open(instance);
    const representation = negotiateBulkData(req.headers.accept, instance.transferSyntaxUid);
    const layout = tag.toUpperCase() === PIXEL_DATA_TAG ? await this.pixels.layout(pixel) : undefined;
    let parts: OutgoingPart[];
    if (layout?.encapsulated) {
      parts = layout.frames.map((_, i) => ({ contentType: partType(representation), open: () => this.pixels.frameStream(pixel, layout, i + 1) }));
    } else {
      const value = await this.pixels.bulkValue(pixel, tag);
      parts = [{ contentType: OCTET_STREAM, open: value.stream }];
    }
    await this.sendMultipart(res, OCTET_STREAM, parts, sopInstanceUid);
  }

  private async sendMultipart(res: FastifyReply, type: string, parts: OutgoingPart[], sopInstanceUid: string): Promise<void> {
    const boundary = newBoundary();
    const body = new PassThrough();
    res.status(200).header('content-type', multipartContentType(type, boundary));
    writeMultipart(body, boundary, parts).catch((err) =>
      this.logger.warn({ sopInstanceUid, err: (err as Error).message }, 'WADO-RS frames response cut short'),
    );
    await res.send(body);
  }
}

/** PS3.18 8.7.3.5: each part names its media type and transfer syntax. */
function partType(r: FrameRepresentation): string {
  return `${r.mediaType}; transfer-syntax=${r.transferSyntaxUid}`;
}
