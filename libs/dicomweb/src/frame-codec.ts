// Decoding of one compressed frame by dcmjs-codecs: pure functions, run in the decoder workers
// (frame-decoder.worker.ts) where the WebAssembly codecs are loaded.
import { codecs } from 'dcmjs-codecs';
import type { DataSet } from 'dicom-parser';
import { TransferSyntax } from '@pacs/dicom';

/** Image Pixel module attributes a decoder needs (PS3.3 C.7.6.3). */
export interface ImagePixel {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  samplesPerPixel: number;
  pixelRepresentation: number;
  planarConfiguration?: number;
  photometricInterpretation: string;
}

/** One decoded frame: native little endian pixels and the attributes that describe them now. */
export interface DecodedFrame {
  pixels: Buffer;
  photometricInterpretation: string;
  planarConfiguration?: number;
}

/**
 * The dcmjs-codecs codec that decodes each compressed syntax. JPEG extended (4.51) and JPEG
 * lossless (4.57) have no codec of their own there, but its IJG decoder picks 8, 12 or 16 bits
 * from the frame's SOF marker and decodes every sequential DCT and lossless process
 * (ISO 10918-1), so they go through the baseline and lossless SV1 codecs.
 */
const CODEC_OF: Record<string, string> = {
  [TransferSyntax.RLELossless]: TransferSyntax.RLELossless,
  [TransferSyntax.JPEGBaseline8Bit]: TransferSyntax.JPEGBaseline8Bit,
  [TransferSyntax.JPEGExtended12Bit]: TransferSyntax.JPEGBaseline8Bit,
  [TransferSyntax.JPEGLossless]: TransferSyntax.JPEGLosslessSV1,
  [TransferSyntax.JPEGLosslessSV1]: TransferSyntax.JPEGLosslessSV1,
  [TransferSyntax.JPEGLSLossless]: TransferSyntax.JPEGLSLossless,
  [TransferSyntax.JPEGLSNearLossless]: TransferSyntax.JPEGLSNearLossless,
  [TransferSyntax.JPEG2000Lossless]: TransferSyntax.JPEG2000Lossless,
  [TransferSyntax.JPEG2000]: TransferSyntax.JPEG2000,
  [TransferSyntax.HTJ2KLossless]: TransferSyntax.HTJ2KLossless,
  [TransferSyntax.HTJ2KLosslessRPCL]: TransferSyntax.HTJ2KLosslessRPCL,
  [TransferSyntax.HTJ2K]: TransferSyntax.HTJ2K,
  [TransferSyntax.JPEGXLLossless]: TransferSyntax.JPEGXLLossless,
  [TransferSyntax.JPEGXL]: TransferSyntax.JPEGXL,
};

/** Whether frames stored in this encapsulated syntax can be decoded to native pixels. */
export function canDecode(transferSyntaxUid: string): boolean {
  return transferSyntaxUid in CODEC_OF || transferSyntaxUid === TransferSyntax.EncapsulatedUncompressedExplicitVRLittleEndian;
}

/** Bytes of one native frame (PS3.5 8.1.1): rows × columns × samples × bytes per sample. */
export function nativeFrameLength(image: ImagePixel): number {
  return Math.ceil((image.rows * image.columns * image.samplesPerPixel * image.bitsAllocated) / 8);
}

export function imagePixelOf(ds: DataSet): ImagePixel {
  const bitsAllocated = ds.uint16('x00280100') ?? 0;
  const bitsStored = ds.uint16('x00280101') ?? bitsAllocated;
  const samplesPerPixel = ds.uint16('x00280002') ?? 1;
  return {
    rows: ds.uint16('x00280010') ?? 0,
    columns: ds.uint16('x00280011') ?? 0,
    bitsAllocated,
    bitsStored,
    highBit: ds.uint16('x00280102') ?? bitsStored - 1,
    samplesPerPixel,
    pixelRepresentation: ds.uint16('x00280103') ?? 0,
    planarConfiguration: samplesPerPixel > 1 ? (ds.uint16('x00280006') ?? 0) : undefined,
    photometricInterpretation: (ds.string('x00280004') ?? '').trim(),
  };
}

/**
 * Decodes one compressed frame with dcmjs-codecs (its WebAssembly build of IJG libjpeg, CharLS,
 * OpenJPEG, OpenJPH, libjxl and an RLE decoder); NativeCodecs.initializeAsync() must have resolved.
 * The codec also says what the pixels are now, as PS3.5 8.2 has it: JPEG YBR_FULL(_422) decoded
 * as RGB, JPEG 2000 YBR_RCT/YBR_ICT as RGB, colour samples interleaved (Planar Configuration 0).
 * The frame is cut to its native length (the codec pads odd lengths).
 */
export function decodeFrame(transferSyntaxUid: string, image: ImagePixel, frame: Buffer): DecodedFrame {
  const length = nativeFrameLength(image);
  if (transferSyntaxUid === TransferSyntax.EncapsulatedUncompressedExplicitVRLittleEndian) {
    // PS3.5 A.4.11: each frame is one fragment of native little endian pixels.
    return { pixels: frame.subarray(0, length), photometricInterpretation: image.photometricInterpretation, planarConfiguration: image.planarConfiguration };
  }
  const syntax = CODEC_OF[transferSyntaxUid];
  if (!syntax) throw new Error(`no decoder for transfer syntax ${transferSyntaxUid}`);
  const decoded = codecOf(syntax).decode(elementsOf(image, frame), syntax, {}) as unknown as DecodedElements;
  const pixels = Buffer.from(decoded.PixelData[0]);
  if (pixels.length < length) throw new Error(`decoded frame holds ${pixels.length} bytes, ${length} expected`);
  return {
    pixels: pixels.subarray(0, length),
    photometricInterpretation: decoded.PhotometricInterpretation ?? image.photometricInterpretation,
    planarConfiguration: image.samplesPerPixel > 1 ? (decoded.PlanarConfiguration ?? 0) : undefined,
  };
}

interface DecodedElements {
  PixelData: ArrayBuffer[];
  PhotometricInterpretation?: string;
  PlanarConfiguration?: number;
}

// Codec.getCodec is public in dcmjs-codecs 0.0.8 but missing from its typings.
const codecOf = (syntax: string) => (codecs.Codec as unknown as { getCodec(uid: string): InstanceType<typeof codecs.Codec> }).getCodec(syntax);

/** The naturalized one-frame data set a dcmjs-codecs codec takes. */
function elementsOf(image: ImagePixel, frame: Buffer): Record<string, unknown> {
  return {
    Rows: image.rows,
    Columns: image.columns,
    BitsAllocated: image.bitsAllocated,
    BitsStored: image.bitsStored,
    HighBit: image.highBit,
    SamplesPerPixel: image.samplesPerPixel,
    PixelRepresentation: image.pixelRepresentation,
    PhotometricInterpretation: image.photometricInterpretation,
    ...(image.planarConfiguration !== undefined ? { PlanarConfiguration: image.planarConfiguration } : {}),
    NumberOfFrames: 1,
    PixelData: [frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.length)],
  };
}
