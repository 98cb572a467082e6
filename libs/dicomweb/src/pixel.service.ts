import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { locateBulkValue, locateFrames, openInstance, OpenedInstance, PixelLayout, readRanges } from '@pacs/dicom';
import { NotFoundError, RetrieveService, StoredInstance } from '@pacs/index';
import { BlobStore } from '@pacs/storage';
import { BlobByteSource } from './blob-byte-source';
import { imagePixelOf } from './frame-codec';
import { PixelCodecs } from './pixel-codecs';
import { decodeOrRefuse } from './transcode';

/** The UIDs of a WADO-RS resource path. */
export interface ResourceScope {
  studyUid: string;
  seriesUid?: string;
  sopInstanceUid?: string;
}

/** An instance opened for pixel access: its header parsed, its bytes read by range on demand. */
export interface PixelInstance {
  instance: StoredInstance;
  opened: OpenedInstance;
}

/**
 * Pixel-level access to stored instances for WADO-RS frames, bulk data and rendering: finds
 * the instance through the retrieve service, parses its header from the blob and reads only
 * the byte ranges asked for (one frame of a large multi-frame file is one ranged read).
 */
@Injectable()
export class PixelService {
  constructor(
    private readonly retrieve: RetrieveService,
    private readonly blobs: BlobStore,
    private readonly codecs: PixelCodecs,
  ) {}

  /** The instances of a study, series or instance; NotFoundError when there are none. */
  findInstances(scope: ResourceScope): Promise<StoredInstance[]> {
    return this.retrieve.findInstances(scope);
  }

  async open(instance: StoredInstance): Promise<PixelInstance> {
    const source = new BlobByteSource(this.blobs, instance.blobKey, instance.sizeBytes);
    return { instance, opened: await openInstance(source, instance.transferSyntaxUid) };
  }

  /** Frame layout of the instance's Pixel Data; NotFoundError for an instance without pixels. */
  async layout(pixel: PixelInstance): Promise<PixelLayout> {
    const layout = await locateFrames(pixel.opened);
    if (!layout) throw new NotFoundError(`instance ${pixel.instance.sopInstanceUid} has no Pixel Data`);
    return layout;
  }

  /** NotFoundError naming the first frame number past the end (PS3.18 10.4.1.1.3). */
  checkFrameNumbers(pixel: PixelInstance, layout: PixelLayout, frameNumbers: number[]): void {
    const missing = frameNumbers.find((n) => n > layout.numberOfFrames);
    if (missing !== undefined) {
      throw new NotFoundError(`frame ${missing} not found: instance ${pixel.instance.sopInstanceUid} has ${layout.numberOfFrames} frame(s)`);
    }
  }

  /** Frame `n` (1-based) as stored, native data in little endian; read when the stream is consumed. */
  frameStream(pixel: PixelInstance, layout: PixelLayout, n: number): Readable {
    return lazyStream(() => readRanges(pixel.opened.source, layout.frames[n - 1], layout.swapWidth));
  }

  /**
   * Frame `n` (1-based) of encapsulated Pixel Data decoded to native little endian pixels,
   * rows × columns × samples × bytes per sample (PS3.5 8.1.1); 406 when it cannot be decoded.
   */
  async decodedFrame(pixel: PixelInstance, layout: PixelLayout, n: number): Promise<Buffer> {
    const source = { opened: pixel.opened, layout, image: imagePixelOf(pixel.opened.dataset), sopInstanceUid: pixel.instance.sopInstanceUid, decoder: this.codecs.decode };
    return (await decodeOrRefuse(source, n - 1)).pixels;
  }

  /** decodedFrame() as a stream, decoded when the stream is consumed. */
  decodedFrameStream(pixel: PixelInstance, layout: PixelLayout, n: number): Readable {
    return lazyStream(() => this.decodedFrame(pixel, layout, n));
  }

  /** The byte ranges of a top-level element; NotFoundError when the instance has none. */
  async bulkValue(pixel: PixelInstance, tag: string): Promise<{ stream: () => Readable }> {
    const value = await locateBulkValue(pixel.opened, tag);
    if (!value) throw new NotFoundError(`instance ${pixel.instance.sopInstanceUid} has no top-level element ${tag}`);
    return { stream: () => lazyStream(() => readRanges(pixel.opened.source, value.ranges, value.swapWidth)) };
  }

  /** The whole stored Part 10 file in memory (one instance, for decoding). */
  async readWhole(instance: StoredInstance): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.retrieve.open(instance)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}

function lazyStream(read: () => Promise<Buffer>): Readable {
  return Readable.from(
    (async function* () {
      yield await read();
    })(),
  );
}
