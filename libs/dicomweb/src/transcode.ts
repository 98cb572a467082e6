import { data } from 'dcmjs';
import { isEncapsulatedTransferSyntax, TransferSyntax } from '@pacs/dicom';

export const EXPLICIT_VR_LITTLE_ENDIAN = TransferSyntax.ExplicitVRLittleEndian;

/**
 * Whether a stored instance can be re-encoded as Explicit VR Little Endian by us: native
 * (uncompressed) syntaxes only: implicit VR LE, explicit VR BE, deflated (PS3.5 A.1–A.5).
 * Decompressing encapsulated pixel data is not offered here (PS3.18 8.7.3.5: answer 406).
 */
export function canTranscodeToExplicitLittle(transferSyntaxUid: string): boolean {
  return !isEncapsulatedTransferSyntax(transferSyntaxUid);
}

/**
 * Re-encodes one Part 10 instance as Explicit VR Little Endian (dcmjs reads and writes the
 * whole instance, one at a time). dcmjs leaves big endian pixel words as read, so they are
 * swapped here (PS3.5 A.3). Text is written as UTF-8 with Specific Character Set ISO_IR 192.
 */
export function transcodeToExplicitLittle(part10: Buffer, storedSyntax: string): Buffer {
  const dict = data.DicomMessage.readFile(part10.buffer.slice(part10.byteOffset, part10.byteOffset + part10.length) as ArrayBuffer);
  if (storedSyntax === TransferSyntax.ExplicitVRBigEndian) swapPixelWords(dict.dict);
  dict.meta['00020010'] = { vr: 'UI', Value: [EXPLICIT_VR_LITTLE_ENDIAN] };
  // Values are written as stored: dcmjs would otherwise refuse one longer than its VR allows
  // (a pre-3.0 DA, an over-long LO), and the instance could not be retrieved at all.
  return Buffer.from(dict.write({ allowInvalidVRLength: true }));
}

function swapPixelWords(dataset: Record<string, { Value?: unknown[] }>): void {
  const pixels = dataset['7FE00010']?.Value;
  const bits = Number(dataset['00280100']?.Value?.[0] ?? 8);
  if (!pixels || bits <= 8) return;
  for (const frame of pixels) {
    const bytes = Buffer.from(frame as ArrayBuffer);
    if (bits === 16) bytes.swap16();
    else if (bits === 32) bytes.swap32();
    else if (bits === 64) bytes.swap64();
  }
}
