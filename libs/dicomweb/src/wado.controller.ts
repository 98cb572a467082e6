import { Controller, Get, Logger, Param, Req, Res } from '@nestjs/common';
import { ApiNotAcceptableResponse, ApiNotFoundResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PassThrough, Readable } from 'node:stream';
import { Audited, RequirePermission } from '@pacs/auth';
import { isEncapsulatedTransferSyntax } from '@pacs/dicom';
import { RetrieveService, StoredInstance } from '@pacs/index';
import { APPLICATION_DICOM, ApiUidParams, ApiWadoRetrieve, MULTIPART_DICOM } from './dicomweb-api.decorators';
import { multipartContentType, multipartLength, newBoundary, OutgoingPart, writeMultipart } from './multipart-writer';
import { PixelCodecs } from './pixel-codecs';
import { PixelService } from './pixel.service';
import { ResponseBuffers } from './response-buffers';
import { DecodedInstance, decodeInstance, EXPLICIT_VR_LITTLE_ENDIAN, transcodeToExplicitLittle } from './transcode';
import { negotiateWado } from './wado-negotiation';
import { APPLICATION_ZIP, sendZip, wantsZip } from './zip-retrieve';

const DICOM = 'application/dicom';

/**
 * WADO-RS Retrieve Instance(s) (PS3.18 10.4): a study, a series or one instance as
 * multipart/related application/dicom parts, streamed from the blob store one instance after
 * another: in Explicit VR Little Endian by default (PS3.18 8.7.3.5.2; stored so, sent as is;
 * native syntaxes re-encoded, compressed ones decoded, one instance at a time), or as stored
 * with `transfer-syntax=*`.
 */
@ApiTags('dicomweb: WADO-RS')
@ApiProduces(MULTIPART_DICOM)
@ApiNotFoundResponse({ description: 'No such study, series or instance' })
@ApiNotAcceptableResponse({ description: 'Accept names a media type or transfer syntax that cannot be served' })
@Controller('dicomweb/studies')
@RequirePermission('study:read')
export class WadoController {
  private readonly logger = new Logger(WadoController.name);
  private readonly buffers = new ResponseBuffers();

  constructor(
    private readonly retrieve: RetrieveService,
    private readonly pixels: PixelService,
    private readonly codecs: PixelCodecs,
  ) {}

  @Get(':study')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiWadoRetrieve('Retrieve a study', 'With `Accept: application/zip`, a ZIP of its Part 10 files with a DICOMDIR.')
  @ApiUidParams('study')
  @ApiProduces(MULTIPART_DICOM, APPLICATION_ZIP)
  retrieveStudy(@Param('study') studyUid: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    if (wantsZip(req.headers.accept)) return sendZip(this.retrieve, { studyUids: [studyUid] }, res);
    return this.send({ studyUid }, req, res);
  }

  @Get(':study/series/:series')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiWadoRetrieve('Retrieve a series', 'With `Accept: application/zip`, a ZIP of its Part 10 files with a DICOMDIR.')
  @ApiUidParams('study', 'series')
  @ApiProduces(MULTIPART_DICOM, APPLICATION_ZIP)
  retrieveSeries(
    @Param('study') studyUid: string,
    @Param('series') seriesUid: string,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    if (wantsZip(req.headers.accept)) return sendZip(this.retrieve, { studyUids: [studyUid], seriesUid }, res);
    return this.send({ studyUid, seriesUid }, req, res);
  }

  @Get(':study/series/:series/instances/:instance')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
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
    const { rendering, transferSyntax } = negotiateWado(req.headers.accept, syntaxes, scope.sopInstanceUid !== undefined);
    const parts = instances.map((i) => this.partOf(i, transferSyntax));
    // One instance to transcode: done before the status line, so that pixel data no codec can
    // decode is a 406, and so that its length is known.
    if (instances.length === 1 && !this.asStored(instances[0], transferSyntax)) parts[0] = await this.prepared(instances[0]);
    if (rendering === 'single') return this.sendOne(instances[0], parts[0], res, this.asStored(instances[0], transferSyntax));
    const boundary = newBoundary();
    // 1 MiB of buffering between the parts and the socket: with the default 16 KiB every
    // 64 KiB read of a blob waits for a drain, which at least doubles the time a study takes.
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    res.status(200).header('content-type', multipartContentType(DICOM, boundary));
    const length = multipartLength(boundary, parts);
    if (length !== undefined) res.header('content-length', String(length));
    writeMultipart(body, boundary, parts).catch((err) =>
      this.logger.warn({ studyUid: scope.studyUid, err: (err as Error).message }, 'WADO-RS response cut short'),
    );
    await res.send(body);
  }

  /**
   * A bare application/dicom body. As stored and small enough, it is read whole into a reused
   * buffer and written to the socket at once (ResponseBuffers); else streamed.
   */
  private async sendOne(instance: StoredInstance, part: OutgoingPart, res: FastifyReply, asStored: boolean): Promise<void> {
    // A byte to spare: the read that fills it tells a blob longer than the index says.
    const buffer = asStored && part.size !== undefined ? this.buffers.lend(part.size + 1, res.raw) : undefined;
    if (!buffer) {
      if (part.size !== undefined) res.header('content-length', String(part.size));
      await res.status(200).header('content-type', part.contentType).send(part.open());
      return;
    }
    const bytes = await this.retrieve.load(instance, buffer);
    await res.status(200).header('content-type', part.contentType).send(bytes);
  }

  /** PS3.18 8.7.3.5: each part names its transfer syntax; '*' sends the stored bytes. */
  private partOf(instance: StoredInstance, transferSyntax: string): OutgoingPart {
    if (this.asStored(instance, transferSyntax)) {
      return { contentType: `${DICOM}; transfer-syntax=${instance.transferSyntaxUid}`, size: instance.sizeBytes, open: () => this.retrieve.open(instance) };
    }
    if (this.decodes(instance, transferSyntax)) {
      return { contentType: `${DICOM}; transfer-syntax=${EXPLICIT_VR_LITTLE_ENDIAN}`, open: () => Readable.from(this.decodedChunks(instance)) };
    }
    return { contentType: `${DICOM}; transfer-syntax=${EXPLICIT_VR_LITTLE_ENDIAN}`, open: () => Readable.from(this.transcoded(instance)) };
  }

  private asStored(instance: StoredInstance, transferSyntax: string): boolean {
    return transferSyntax === '*' || transferSyntax === instance.transferSyntaxUid;
  }

  private decodes(instance: StoredInstance, transferSyntax: string): boolean {
    return !this.asStored(instance, transferSyntax) && isEncapsulatedTransferSyntax(instance.transferSyntaxUid);
  }

  /** An instance to send as Explicit VR LE, prepared up front: decoded (its first frame) or re-encoded. */
  private async prepared(instance: StoredInstance): Promise<OutgoingPart> {
    const contentType = `${DICOM}; transfer-syntax=${EXPLICIT_VR_LITTLE_ENDIAN}`;
    if (isEncapsulatedTransferSyntax(instance.transferSyntaxUid)) {
      const decoded = await this.decoded(instance);
      return { contentType, size: decoded.size, open: () => Readable.from(decoded.chunks()) };
    }
    const bytes = await this.transcodedBytes(instance);
    return { contentType, size: bytes.length, open: () => Readable.from([bytes]) };
  }

  /** A compressed instance decoded frame by frame: its header, then one frame at a time. */
  private async decoded(instance: StoredInstance): Promise<DecodedInstance> {
    return decodeInstance((await this.pixels.open(instance)).opened, instance.sopInstanceUid, this.codecs.decode);
  }

  private async *decodedChunks(instance: StoredInstance): AsyncGenerator<Buffer> {
    yield* (await this.decoded(instance)).chunks();
  }

  /** A native instance re-encoded whole, one in memory at a time: read, re-encode, hand over. */
  private async *transcoded(instance: StoredInstance): AsyncGenerator<Buffer> {
    yield await this.transcodedBytes(instance);
  }

  private async transcodedBytes(instance: StoredInstance): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.retrieve.open(instance)) chunks.push(chunk as Buffer);
    return transcodeToExplicitLittle(Buffer.concat(chunks), instance.transferSyntaxUid);
  }
}
