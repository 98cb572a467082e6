// What the data set walker keeps per open data set, item, sequence or encapsulated Pixel Data,
// the tags it recognises and how its messages name them.
import { DataSetEncoding, tagName, vrCode } from './element-encoding';

export const UNDEFINED_LENGTH = 0xffffffff;
export const ITEM = 0xfffee000;
export const ITEM_DELIMITER = 0xfffee00d;
export const SEQUENCE_DELIMITER = 0xfffee0dd;
export const PIXEL_DATA = 0x7fe00010;
export const SQ = vrCode('SQ');
export const UN = vrCode('UN');
export const OB = vrCode('OB');
export const OW = vrCode('OW');
/** Nested sequences and items; real data nests a few dozen levels at most (SR content trees). */
export const MAX_DEPTH = 1024;

export type FrameKind = 'dataset' | 'item' | 'sequence' | 'fragments';

/** A data set, item, sequence or encapsulated Pixel Data being walked. */
export interface Frame {
  kind: FrameKind;
  /** Encoding of what it contains (UN of undefined length holds implicit VR little endian). */
  encoding: DataSetEncoding;
  /** Offset just past its value when its length is defined, -1 when a delimiter ends it. */
  end: number;
  /** The nearest defined end among it and its parents: nothing inside may pass it. */
  limit: number;
  /** The tag of the element it is, or of the sequence an item is in: messages name it. */
  tag: number;
  /** Offset of its header, for messages. */
  at: number;
  /** Items read so far (sequence, fragments), or the number of this item in its sequence. */
  items: number;
}

export interface WalkerOptions {
  /** Offset of the first byte pushed; messages count bytes from here. */
  start?: number;
  /** Offset just past the last byte, when known: a length past it fails at once. */
  end?: number;
  /** Says in messages that offsets count inflated bytes (PS3.5 A.5). */
  inflated?: boolean;
}

// Plain byte arithmetic: Buffer's read methods validate their argument on every call, which
// dominated the walk of a header of many small elements (profiled).
export function u16(buf: Buffer, at: number, le: boolean): number {
  return le ? buf[at] | (buf[at + 1] << 8) : (buf[at] << 8) | buf[at + 1];
}

export function u32(buf: Buffer, at: number, le: boolean): number {
  return le
    ? (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16)) + buf[at + 3] * 0x1000000
    : buf[at] * 0x1000000 + ((buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]);
}

/** "the data set", "sequence (0008,1140)", "item 2 of sequence (0008,1140)", "encapsulated Pixel Data (7FE0,0010)". */
export function frameName(frame: Frame): string {
  if (frame.kind === 'dataset') return 'the data set';
  if (frame.kind === 'item') return `item ${frame.items} of sequence ${tagName(frame.tag)}`;
  if (frame.kind === 'fragments') return `encapsulated Pixel Data ${tagName(frame.tag)}`;
  return `sequence ${tagName(frame.tag)}`;
}

/** The first item of encapsulated Pixel Data is the Basic Offset Table, the others are fragments (PS3.5 A.4). */
export function fragmentName(pixels: Frame, index: number): string {
  return index === 0 ? `the Basic Offset Table of ${frameName(pixels)}` : `fragment ${index} of ${frameName(pixels)}`;
}

export function closer(frame: Frame): string {
  return frame.kind === 'item' ? 'its Item Delimitation Item' : 'its Sequence Delimitation Item';
}
