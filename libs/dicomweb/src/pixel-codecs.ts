import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { NativePixelDecoder } from 'dcmjs-imaging';
import { DecoderPool } from './decoder-pool';
import type { DecodedFrame, ImagePixel } from './frame-codec';

/** Decodes one compressed frame to native little endian pixels (frame-codec.ts decodeFrame). */
export type FrameDecoder = (transferSyntaxUid: string, image: ImagePixel, frame: Buffer) => Promise<DecodedFrame>;

/**
 * The WebAssembly codecs of the pixel routes, set up in one place: dcmjs-codecs decodes frames
 * for WADO-RS retrieve in worker threads (DecoderPool); dcmjs-imaging, built on the same codecs
 * as a module of its own, renders. Both load on first use so start-up stays fast; a failed load
 * of the rendering codecs is logged and retried on the next request.
 */
@Injectable()
export class PixelCodecs implements OnModuleDestroy {
  private readonly logger = new Logger(PixelCodecs.name);
  private readonly pool = new DecoderPool();
  private renderingCodecs?: Promise<void>;

  /** Decodes in a worker thread; rejects with the codec's message. */
  readonly decode: FrameDecoder = (transferSyntaxUid, image, frame) => this.pool.decode(transferSyntaxUid, image, frame);

  /** Resolves once dcmjs-imaging's DicomImage can render compressed images. */
  rendering(): Promise<void> {
    this.renderingCodecs ??= NativePixelDecoder.initializeAsync({ logNativeDecodersMessages: false }).catch((err: Error) => {
      this.renderingCodecs = undefined;
      this.logger.error({ err: err.message }, 'native pixel decoders failed to load; compressed images cannot be rendered');
      throw err;
    });
    return this.renderingCodecs;
  }

  onModuleDestroy(): Promise<void> {
    return this.pool.close();
  }
}
