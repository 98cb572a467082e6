export interface Part10Meta {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  sourceAeTitle?: string;
}
export const IMPLEMENTATION_CLASS_UID = '1.2.826.0.1.3680043.10.1453.1';
export const IMPLEMENTATION_VERSION_NAME = 'PACS_TS_0.1';

/** 128-byte preamble, "DICM" and the File Meta Information group (PS3.10 7.1), explicit VR little endian. */
export function buildPart10Header(meta: Part10Meta): Buffer {
  throw new Error('not implemented');
}
