import { TransferSyntax } from '@pacs/dicom';

export const OCTET_STREAM = 'application/octet-stream';

/**
 * Media types of compressed frames by transfer syntax (PS3.18 Table 8.7.3-2 / 8.7.4-1); the
 * first is the one we name, the others are aliases clients send (dicomweb-client: image/x-jls).
 */
const FRAME_MEDIA_TYPES: Record<string, string[]> = {
  [TransferSyntax.JPEGBaseline8Bit]: ['image/jpeg'],
  [TransferSyntax.JPEGExtended12Bit]: ['image/jpeg'],
  [TransferSyntax.JPEGLossless]: ['image/jpeg'],
  [TransferSyntax.JPEGLosslessSV1]: ['image/jpeg'],
  [TransferSyntax.JPEGLSLossless]: ['image/jls', 'image/x-jls'],
  [TransferSyntax.JPEGLSNearLossless]: ['image/jls', 'image/x-jls'],
  [TransferSyntax.JPEG2000Lossless]: ['image/jp2'],
  [TransferSyntax.JPEG2000]: ['image/jp2'],
  [TransferSyntax.HTJ2KLossless]: ['image/jphc'],
  [TransferSyntax.HTJ2KLosslessRPCL]: ['image/jphc'],
  [TransferSyntax.HTJ2K]: ['image/jphc'],
  [TransferSyntax.JPEGXLLossless]: ['image/jxl'],
  [TransferSyntax.JPEGXLJPEGRecompression]: ['image/jxl'],
  [TransferSyntax.JPEGXL]: ['image/jxl'],
  [TransferSyntax.RLELossless]: ['image/x-dicom-rle'],
};

/**
 * The transfer syntax a media type means when Accept names none (PS3.18 8.7.3.5.2 and
 * Tables 8.7.3-2, 8.7.3-3: the default syntax of each media type).
 */
const DEFAULT_SYNTAX: Record<string, string> = {
  'application/dicom': TransferSyntax.ExplicitVRLittleEndian,
  [OCTET_STREAM]: TransferSyntax.ExplicitVRLittleEndian,
  'image/jpeg': TransferSyntax.JPEGBaseline8Bit,
  'image/jls': TransferSyntax.JPEGLSLossless,
  'image/x-jls': TransferSyntax.JPEGLSLossless,
  'image/jp2': TransferSyntax.JPEG2000Lossless,
  'image/jphc': TransferSyntax.HTJ2KLossless,
  'image/jxl': TransferSyntax.JPEGXLLossless,
  'image/x-dicom-rle': TransferSyntax.RLELossless,
};

export function frameMediaTypes(transferSyntaxUid: string): string[] {
  return FRAME_MEDIA_TYPES[transferSyntaxUid] ?? [];
}

export function defaultSyntaxOf(mediaType: string): string | undefined {
  return DEFAULT_SYNTAX[mediaType.toLowerCase()];
}
