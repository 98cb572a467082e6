// Walks the structure of a data set as its bytes arrive: every element header, nested sequences
// and items, encapsulated Pixel Data fragments, up to the end. Values are skipped by their
// length, never kept; only a partial element header (at most 12 bytes) is carried between chunks.
import { DicomParseError } from './dicom-parse-error';
import { DataSetEncoding, explicitLengthSize, IMPLICIT_LITTLE, tagName, vrText } from './element-encoding';
import { sequenceHint } from './sequence-tags';
import {
  closer, fragmentName, Frame, FrameKind, frameName, ITEM, ITEM_DELIMITER, MAX_DEPTH, OB, OW,
  PIXEL_DATA, SEQUENCE_DELIMITER, SQ, u16, u32, UN, UNDEFINED_LENGTH, WalkerOptions,
} from './walker-frames';

/**
 * Checks that a data set parses (PS3.5 7): fed its bytes in order, in chunks of any size, it
 * throws DicomParseError (with the offset) at the first element header, item or delimiter that
 * breaks the encoding. Accepts what is unusual but unambiguous: odd lengths, private elements,
 * undefined-length private sequences in implicit VR, UN of undefined length, empty values and
 * items, delimiters with a non-zero length. A caller reading from a file may skip what `needed`
 * says is not needed.
 */
export class DataSetWalker {
  /** Offset of the first byte not yet consumed (a partial header is not consumed). */
  private offset: number;
  /** Value bytes still to pass over. */
  private skip = 0;
  /** A header split between two chunks (made when first needed). */
  private pending: Buffer | undefined;
  private pendingLength = 0;
  private readonly frames: Frame[];
  private top: Frame;
  private readonly start: number;
  private readonly where: string;
  /** The element (or fragment: its number, else -1) whose value is being passed over, for messages. */
  private valueTag = 0;
  private valueFragment = -1;
  private valueAt = 0;
  /** Offset of the top-level Pixel Data element, once its header was read. */
  pixelDataOffset: number | undefined;

  constructor(encoding: DataSetEncoding, options: WalkerOptions = {}) {
    this.start = options.start ?? 0;
    this.offset = this.start;
    this.where = options.inflated ? ' of the inflated data set' : '';
    const end = options.end ?? -1;
    this.top = { kind: 'dataset', encoding, end, limit: end >= 0 ? end : Infinity, tag: 0, at: this.start, items: 0 };
    this.frames = [this.top];
  }

  /** The offset of the next byte the walk reads: bytes before it may be left out of `push`. */
  get needed(): number {
    return this.offset + this.pendingLength + this.skip;
  }

  /** Feeds the next bytes; `at` (default: right after the last ones) may skip up to `needed`. */
  push(chunk: Buffer, at = this.offset + this.pendingLength): void {
    if (at !== this.offset + this.pendingLength) this.seek(at);
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.skip > 0) {
        const k = Math.min(this.skip, n - i);
        this.skip -= k;
        this.offset += k;
        i += k;
        continue;
      }
      this.closeFinished();
      if (this.pendingLength > 0) {
        i += this.completeHeader(chunk, i);
        continue;
      }
      const used = this.header(chunk, i, n - i);
      if (used === 0) {
        this.pending ??= Buffer.alloc(12);
        chunk.copy(this.pending, 0, i, n);
        this.pendingLength = n - i;
        return;
      }
      i += used;
    }
    if (this.skip === 0) this.closeFinished();
  }

  /**
   * Says the data is over (at `at`, past bytes the caller skipped): fails unless it ended after a
   * whole element with every sequence closed.
   */
  end(at = this.offset + this.pendingLength): void {
    if (at !== this.offset + this.pendingLength) this.seek(at);
    if (this.pendingLength > 0) {
      throw this.fail(this.offset, `truncated: the data ends ${this.pendingLength} bytes into an element header`);
    }
    if (this.skip > 0) throw this.fail(this.valueAt, `truncated: ${this.valueName()} lacks ${this.skip} bytes of its value`);
    this.closeFinished();
    const open = this.top;
    if (this.frames.length > 1) throw this.fail(open.at, `truncated: ${frameName(open)} is not closed, ${closer(open)} is missing`);
    if (open.end >= 0 && this.offset !== open.end) throw this.fail(this.offset, `the data ends ${open.end - this.offset} bytes early`);
  }

  private seek(at: number): void {
    if (this.pendingLength > 0 || at < this.offset || at > this.offset + this.skip) {
      throw new Error(`data set walker: cannot continue at ${at}, the next byte needed is ${this.needed}`);
    }
    this.skip -= at - this.offset;
    this.offset = at;
  }

  /** Adds the start of `chunk` to a partial header; returns the bytes of `chunk` used. */
  private completeHeader(chunk: Buffer, i: number): number {
    const pending = this.pending!;
    const had = this.pendingLength;
    const take = Math.min(pending.length - had, chunk.length - i);
    chunk.copy(pending, had, i, i + take);
    this.pendingLength = 0;
    const used = this.header(pending, 0, had + take);
    if (used > 0) return used - had;
    this.pendingLength = had + take;
    return take;
  }

  /** Reads one header at `at` if `avail` bytes hold it: returns its size, or 0 to wait for more. */
  private header(buf: Buffer, at: number, avail: number): number {
    if (avail < 8) return 0;
    const frame = this.top;
    const le = frame.encoding.littleEndian;
    const tag = u16(buf, at, le) * 0x10000 + u16(buf, at + 2, le);
    if (frame.kind === 'sequence') return this.sequenceContent(tag, u32(buf, at + 4, le));
    if (frame.kind === 'fragments') return this.fragment(tag, u32(buf, at + 4, le));
    if (tag >= 0xfffe0000 && tag <= 0xfffeffff) return this.delimiterInItem(tag);
    if (!frame.encoding.explicitVr) return this.element(tag, 0, u32(buf, at + 4, le), 8);
    const vr = (buf[at + 4] << 8) | buf[at + 5];
    const lengthSize = explicitLengthSize(vr);
    if (lengthSize === 2) return this.element(tag, vr, u16(buf, at + 6, le), 8);
    if (lengthSize !== 4) throw this.fail(this.offset, `${tagName(tag)} has VR ${vrText(vr)}, not a DICOM VR (PS3.5 6.2)`);
    if (avail < 12) return 0;
    return this.element(tag, vr, u32(buf, at + 8, le), 12);
  }

  /** A data element (PS3.5 7.1); `vr` is 0 in implicit VR. */
  private element(tag: number, vr: number, length: number, headerSize: number): number {
    const at = this.offset;
    const frame = this.top;
    this.offset += headerSize;
    if (tag === PIXEL_DATA && this.frames.length === 1) this.pixelDataOffset ??= at;
    if (length === UNDEFINED_LENGTH) {
      this.openUndefined(tag, vr, at);
      return headerSize;
    }
    if (length > frame.limit - this.offset) throw this.overrun(at, `${tagName(tag)}${vr ? ` ${vrText(vr)}` : ''}`, length);
    if (vr === SQ || (vr === 0 && sequenceHint(tag) === 'sequence')) {
      this.open('sequence', frame.encoding, this.offset + length, tag, at);
    } else {
      this.pass(length, tag, -1, at);
    }
    return headerSize;
  }

  /**
   * Undefined length is for sequences, UN (whose value is then an implicit VR little endian
   * sequence, PS3.5 6.2.2) and encapsulated Pixel Data (PS3.5 A.4). In implicit VR only the
   * dictionary tells a sequence: an element it does not know (private) is taken as one (PS3.5 7.5).
   */
  private openUndefined(tag: number, vr: number, at: number): void {
    const encoding = this.top.encoding;
    if (tag === PIXEL_DATA && (vr === OB || vr === OW || vr === 0)) return this.open('fragments', encoding, -1, tag, at);
    if (vr === SQ) return this.open('sequence', encoding, -1, tag, at);
    if (vr === UN) return this.open('sequence', IMPLICIT_LITTLE, -1, tag, at);
    if (vr === 0 && sequenceHint(tag) !== 'not-sequence') return this.open('sequence', encoding, -1, tag, at);
    const what = vr ? `${tagName(tag)} ${vrText(vr)}` : `${tagName(tag)}, which the dictionary says is no sequence,`;
    throw this.fail(at, `${what} has undefined length; only SQ, UN and encapsulated Pixel Data may (PS3.5 7.1, 7.5)`);
  }

  /** Inside a sequence: items, and the Sequence Delimitation Item if its length is undefined (PS3.5 7.5). */
  private sequenceContent(tag: number, length: number): number {
    const at = this.offset;
    const sequence = this.top;
    if (tag === ITEM) {
      sequence.items++;
      this.offset += 8;
      if (length !== UNDEFINED_LENGTH && length > sequence.limit - this.offset) {
        throw this.overrun(at, `item ${sequence.items} of ${frameName(sequence)}`, length);
      }
      this.open('item', sequence.encoding, length === UNDEFINED_LENGTH ? -1 : this.offset + length, sequence.tag, at, sequence.items);
      return 8;
    }
    // Even as the last bytes of a sequence of defined length one is refused (DCMTK reads past it):
    // PS3.5 7.5.2 gives it to undefined lengths only, and dicom-parser, which reads the header, fails on it.
    if (tag === SEQUENCE_DELIMITER && sequence.end < 0) {
      this.offset += 8;
      this.close();
      return 8;
    }
    const name = frameName(sequence);
    if (tag === SEQUENCE_DELIMITER) throw this.fail(at, `a Sequence Delimitation Item inside ${name}, whose length is defined (PS3.5 7.5.2)`);
    if (tag === ITEM_DELIMITER) throw this.fail(at, `an Item Delimitation Item in ${name} where an item was expected (PS3.5 7.5.2)`);
    throw this.fail(at, `${tagName(tag)} in ${name}, where only items may be (PS3.5 7.5)`);
  }

  /** Encapsulated Pixel Data: the Basic Offset Table item, fragment items, a delimiter (PS3.5 A.4). */
  private fragment(tag: number, length: number): number {
    const at = this.offset;
    const pixels = this.top;
    if (tag === ITEM) {
      if (length === UNDEFINED_LENGTH) throw this.fail(at, `${fragmentName(pixels, pixels.items)} has undefined length (PS3.5 A.4)`);
      this.offset += 8;
      if (length > pixels.limit - this.offset) throw this.overrun(at, fragmentName(pixels, pixels.items), length);
      this.pass(length, pixels.tag, pixels.items++, at);
      return 8;
    }
    if (tag === SEQUENCE_DELIMITER) {
      if (pixels.items === 0) throw this.fail(at, `${frameName(pixels)} has no Basic Offset Table item (PS3.5 A.4)`);
      this.offset += 8;
      this.close();
      return 8;
    }
    throw this.fail(at, `${tagName(tag)} in ${frameName(pixels)}, where only items and the Sequence Delimitation Item may be (PS3.5 A.4)`);
  }

  /**
   * A (FFFE,xxxx) tag among data elements: only the Item Delimitation Item of an item, of undefined
   * length or as the redundant last 8 bytes of a defined one (DCMTK and dicom-parser read past it).
   */
  private delimiterInItem(tag: number): number {
    const at = this.offset;
    const frame = this.top;
    if (tag === ITEM_DELIMITER && frame.kind === 'item' && (frame.end < 0 || at + 8 === frame.end)) {
      this.offset += 8;
      this.close();
      return 8;
    }
    const inside = frame.kind === 'item' ? frameName(frame) : 'the data set, outside any sequence';
    if (tag === ITEM_DELIMITER) throw this.fail(at, `an Item Delimitation Item ${frame.kind === 'item' ? `inside ${inside}, whose length is defined` : `in ${inside}`} (PS3.5 7.5.2)`);
    if (tag === SEQUENCE_DELIMITER) throw this.fail(at, `a Sequence Delimitation Item in ${inside}${frame.kind === 'item' ? ' before its end' : ''} (PS3.5 7.5.2)`);
    if (tag === ITEM) throw this.fail(at, `an item in ${inside} (PS3.5 7.5)`);
    throw this.fail(at, `${tagName(tag)} in ${inside}: group FFFE holds only items and delimiters (PS3.5 7.5)`);
  }

  private pass(length: number, tag: number, fragment: number, at: number): void {
    this.skip = length;
    this.valueTag = tag;
    this.valueFragment = fragment;
    this.valueAt = at;
  }

  private valueName(): string {
    return this.valueFragment < 0 ? tagName(this.valueTag) : fragmentName(this.top, this.valueFragment);
  }

  private open(kind: FrameKind, encoding: DataSetEncoding, end: number, tag: number, at: number, items = 0): void {
    if (this.frames.length > MAX_DEPTH) throw this.fail(at, `sequences and items nested more than ${MAX_DEPTH} deep`);
    const frame: Frame = { kind, encoding, end, limit: end >= 0 ? end : this.top.limit, tag, at, items };
    this.frames.push(frame);
    this.top = frame;
  }

  private close(): void {
    this.frames.pop();
    this.top = this.frames[this.frames.length - 1];
  }

  /** Closes the items and sequences whose defined length ends here. */
  private closeFinished(): void {
    while (this.frames.length > 1) {
      const frame = this.top;
      if (frame.end >= 0) {
        if (this.offset < frame.end) return;
        this.close();
        continue;
      }
      if (this.offset < frame.limit) return;
      const owner = this.limitOwner();
      const reason = `${frameName(frame)} reaches the end of ${frameName(owner)} without ${closer(frame)}`;
      throw this.fail(frame.at, owner === this.frames[0] ? `truncated: ${reason}` : reason);
    }
  }

  /** `name` at `at` declares `length` bytes, more than what is left of what holds it. */
  private overrun(at: number, name: string, length: number): DicomParseError {
    const remaining = this.top.limit - this.offset;
    const owner = this.limitOwner();
    const within = frameName(owner);
    const reason = remaining < 0 ? `${name} crosses the end of ${within}` : `${name} has a length of ${length} bytes, ${remaining} remain in ${within}`;
    return this.fail(at, owner === this.frames[0] ? `truncated: ${reason}` : reason);
  }

  /** The innermost item or sequence of defined length, or the data set, whose end bounds the current one. */
  private limitOwner(): Frame {
    for (let i = this.frames.length - 1; i > 0; i--) if (this.frames[i].end >= 0) return this.frames[i];
    return this.frames[0];
  }

  private fail(at: number, reason: string): DicomParseError {
    const offset = at - this.start;
    return new DicomParseError(`malformed data set at byte ${offset}${this.where}: ${reason}`, offset);
  }
}
