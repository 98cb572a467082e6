import { data } from 'dcmjs';
import { isEncapsulatedTransferSyntax, locateFrames, OpenedInstance, PixelLayout, readRanges, TransferSyntax } from '@pacs/dicom';
import { DomainError } from '@pacs/errors';
import { canDecode, DecodedFrame, ImagePixel, imagePixelOf, nativeFrameLength } from './frame-codec';
import type { FrameDecoder } from './pixel-codecs';

export const EXPLICIT_VR_LITTLE_ENDIAN = TransferSyntax.ExplicitVRLittleEndian;

const PIXEL_DATA = '7FE00010';
/** Tag, VR, two reserved bytes and a 32-bit length: an explicit VR OB/OW element header (PS3.5 7.1.2). */
const OB_HEADER_LENGTH = 12;

/**
 * Whether a stored instance can be sent as Explicit VR Little Endian: native syntaxes are
 * re-encoded (implicit VR LE, explicit VR BE, deflated: PS3.5 A.1–A.5), compressed ones decoded
 * when a codec exists for them (frame-codec.ts). Video and JPIP cannot be.
 */
export function canTranscodeToExplicitLittle(transferSyntaxUid: string): boolean {
  return !isEncapsulatedTransferSyntax(transferSyntaxUid) || canDecode(transferSyntaxUid);
}

/**
 * Re-encodes one Part 10 instance stored in a native syntax as Explicit VR Little Endian
 * (dcmjs reads and writes the whole instance, one at a time). dcmjs leaves big endian pixel
 * words as read, so they are swapped here (PS3.5 A.3). Text is written as UTF-8 with Specific
 * Character Set ISO_IR 192.
 */
export function transcodeToExplicitLittle(part10: Buffer, storedSyntax: string): Buffer {
  const dict = data.DicomMessage.readFile(arrayBufferOf(part10));
  if (storedSyntax === TransferSyntax.ExplicitVRBigEndian) swapPixelWords(dict.dict);
  dict.meta['00020010'] = { vr: 'UI', Value: [EXPLICIT_VR_LITTLE_ENDIAN] };
  // Values are written as stored: dcmjs would otherwise refuse one longer than its VR allows
  // (a pre-3.0 DA, an over-long LO), and the instance could not be retrieved at all.
  return Buffer.from(dict.write({ allowInvalidVRLength: true }));
}

/** A decoded instance: its exact size, and its bytes produced one frame at a time. */
export interface DecodedInstance {
  size: number;
  chunks(): AsyncGenerator<Buffer>;
}

/**
 * An instance stored in a compressed syntax, as Explicit VR Little Endian with native Pixel
 * Data (PS3.18 8.7.3.5.2, PS3.5 8.1.1). The data set before Pixel Data is already explicit VR
 * little endian (PS3.5 A.4), so dcmjs re-encodes only that prefix, with the new transfer syntax
 * and what decoding changed (Photometric Interpretation, Planar Configuration; the Extended
 * Offset Table, which describes fragments, goes). Frames are then read and decoded one at a
 * time, so memory holds the header and one frame, never the whole instance. The first frame is
 * decoded here, so a frame no codec can decode is refused before anything is sent.
 * Elements after Pixel Data (Digital Signatures, which decoding invalidates, PS3.15 C.1;
 * trailing padding) are not sent.
 */
export async function decodeInstance(opened: OpenedInstance, sopInstanceUid: string, decoder: FrameDecoder): Promise<DecodedInstance> {
  const element = opened.dataset.elements.x7fe00010;
  if (!element) return withoutPixelData(opened);
  const layout = await locateFrames(opened);
  if (!layout?.encapsulated) throw new DomainError('not-acceptable', `instance ${sopInstanceUid}: Pixel Data is not encapsulated as ${layout?.transferSyntaxUid} requires`);
  const image = imagePixelOf(opened.dataset);
  const decode = (index: number) => decodeOrRefuse({ opened, layout, image, sopInstanceUid, decoder }, index);
  const first = await decode(0);
  const header = await headerOf(opened, element.dataOffset - OB_HEADER_LENGTH, first);
  const valueLength = nativeFrameLength(image) * layout.numberOfFrames;
  const padding = valueLength % 2; // PS3.5 7.1.1: values have an even length
  const pixelHeader = Buffer.alloc(OB_HEADER_LENGTH);
  pixelHeader.writeUInt16LE(0x7fe0, 0);
  pixelHeader.writeUInt16LE(0x0010, 2);
  pixelHeader.write(image.bitsAllocated > 8 ? 'OW' : 'OB', 4, 'latin1');
  pixelHeader.writeUInt32LE(valueLength + padding, 8);
  return {
    size: header.length + OB_HEADER_LENGTH + valueLength + padding,
    async *chunks() {
      yield Buffer.concat([header, pixelHeader]);
      yield first.pixels;
      for (let i = 1; i < layout.numberOfFrames; i++) yield (await decode(i)).pixels;
      if (padding) yield Buffer.alloc(1);
    },
  };
}

/** An instance without Pixel Data stored in a compressed syntax (nothing to decode): re-encoded whole. */
async function withoutPixelData(opened: OpenedInstance): Promise<DecodedInstance> {
  const bytes = transcodeToExplicitLittle(Buffer.from(await opened.source.read(0, opened.source.size)), opened.transferSyntaxUid);
  return {
    size: bytes.length,
    async *chunks() {
      yield bytes;
    },
  };
}

/** What decoding a frame of an instance takes. */
export interface FrameSource {
  opened: OpenedInstance;
  layout: PixelLayout;
  image: ImagePixel;
  sopInstanceUid: string;
  decoder: FrameDecoder;
}

/** Frame `index` (0-based) read and decoded; a failing codec becomes a 406 that names the frame and the syntax. */
export async function decodeOrRefuse(source: FrameSource, index: number): Promise<DecodedFrame> {
  const { opened, layout, image, sopInstanceUid, decoder } = source;
  const compressed = await readRanges(opened.source, layout.frames[index]);
  try {
    return await decoder(layout.transferSyntaxUid, image, compressed);
  } catch (err) {
    throw new DomainError(
      'not-acceptable',
      `frame ${index + 1} of instance ${sopInstanceUid} (stored as ${layout.transferSyntaxUid}) cannot be decoded to ${EXPLICIT_VR_LITTLE_ENDIAN}: ` +
        `${(err as Error).message}; ask for transfer-syntax=* to receive it as stored`,
    );
  }
}

/** The Part 10 bytes before Pixel Data, re-encoded as Explicit VR LE with the decoded image's attributes. */
async function headerOf(opened: OpenedInstance, pixelDataAt: number, decoded: DecodedFrame): Promise<Buffer> {
  const prefix = await opened.source.read(0, pixelDataAt);
  const dict = data.DicomMessage.readFile(arrayBufferOf(prefix));
  dict.meta['00020010'] = { vr: 'UI', Value: [EXPLICIT_VR_LITTLE_ENDIAN] };
  dict.dict['00280004'] = { vr: 'CS', Value: [decoded.photometricInterpretation] };
  if (decoded.planarConfiguration !== undefined) dict.dict['00280006'] = { vr: 'US', Value: [decoded.planarConfiguration] };
  delete dict.dict['7FE00001']; // Extended Offset Table and its lengths (PS3.3 C.7.6.3.1.8)
  delete dict.dict['7FE00002'];
  delete dict.dict[PIXEL_DATA];
  return Buffer.from(dict.write({ allowInvalidVRLength: true }));
}

function arrayBufferOf(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
}

function swapPixelWords(dataset: Record<string, { Value?: unknown[] }>): void {
  const pixels = dataset[PIXEL_DATA]?.Value;
  const bits = Number(dataset['00280100']?.Value?.[0] ?? 8);
  if (!pixels || bits <= 8) return;
  for (const frame of pixels) {
    const bytes = Buffer.from(frame as ArrayBuffer);
    if (bits === 16) bytes.swap16();
    else if (bits === 32) bytes.swap32();
    else if (bits === 64) bytes.swap64();
  }
}
