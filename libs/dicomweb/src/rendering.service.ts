import { Injectable } from '@nestjs/common';
import { DicomImage, WindowLevel } from 'dcmjs-imaging';
import sharp from 'sharp';
import { PixelCodecs } from './pixel-codecs';
import { RenderRequest } from './render-params';

/** Largest side of a thumbnail when the request gives no viewport (PS3.18 10.4.1.1.5 leaves it to us). */
export const THUMBNAIL_SIZE = 128;

/**
 * Renders one frame of a Part 10 instance to JPEG or PNG (PS3.18 8.3.5): dcmjs-imaging decodes
 * it (native, RLE, JPEG baseline/extended/lossless, JPEG-LS, JPEG 2000, HTJ2K, JPEG XL through its
 * WebAssembly decoders) and applies Modality LUT, window (explicit, else the VOI LUT attributes,
 * else the pixel value range) and photometric interpretation; sharp scales and encodes.
 */
@Injectable()
export class RenderingService {
  constructor(private readonly codecs: PixelCodecs) {}

  /** `frame` is 1-based; `thumbnail` bounds the size to THUMBNAIL_SIZE unless a viewport is given. */
  async render(part10: Buffer, frame: number, request: RenderRequest, thumbnail: boolean): Promise<Buffer> {
    await this.codecs.rendering();
    const image = new DicomImage(part10.buffer.slice(part10.byteOffset, part10.byteOffset + part10.length) as ArrayBuffer);
    if (request.window) image.setElement('VOILUTFunction', request.window.fn);
    const rendered = image.render({
      frame: frame - 1,
      windowLevel: request.window ? new WindowLevel(request.window.width, request.window.center) : undefined,
      renderOverlays: false,
    });
    let pipeline = sharp(Buffer.from(rendered.pixels), { raw: { width: rendered.width, height: rendered.height, channels: 4 } }).removeAlpha();
    const size = request.viewport ?? (thumbnail ? { width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE } : undefined);
    if (size) pipeline = pipeline.resize(size.width, size.height, { fit: 'inside', withoutEnlargement: thumbnail && !request.viewport });
    pipeline = request.format === 'image/png' ? pipeline.png() : pipeline.jpeg({ quality: request.quality });
    return pipeline.toBuffer();
  }
}
