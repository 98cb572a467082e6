import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BIG, delimiter, el, Enc, encapsulated, EXPLICIT, IMPLICIT, item, seq, UNDEFINED } from '../../../test/support/dicom-bytes';
import { DicomParseError } from './dicom-parse-error';
import { DataSetWalker } from './structure-walker';

const PATIENT_NAME = 0x00100010;
const ACCESSION = 0x00080050;
const MODALITY = 0x00080060;
const REFERENCED_IMAGES = 0x00081140;
const REFERENCED_SOP_INSTANCE = 0x00081155;
const ICON_IMAGE = 0x00880200;
const PRIVATE_CREATOR = 0x00090010;
const PRIVATE_SEQUENCE = 0x00091010;
const PIXEL_DATA = 0x7fe00010;
const ITEM_DELIMITER = 0xfffee00d;
const SEQUENCE_DELIMITER = 0xfffee0dd;

type Outcome = { ok: true } | { ok: false; offset: number | undefined; message: string };

/**
 * Walks `bytes` three ways: whole with its end known (as from a file), byte by byte and in 7-byte
 * chunks without (as from a stream). All three must agree on success or on the failing offset.
 */
function walk(bytes: Buffer, enc: Enc): Outcome {
  const feeds: Array<(w: DataSetWalker) => void> = [
    (w) => w.push(bytes),
    (w) => { for (let i = 0; i < bytes.length; i++) w.push(bytes.subarray(i, i + 1)); },
    (w) => { for (let i = 0; i < bytes.length; i += 7) w.push(bytes.subarray(i, i + 7)); },
  ];
  const outcomes = feeds.map((feed, n): Outcome => {
    const walker = new DataSetWalker(enc, n === 0 ? { end: bytes.length } : {});
    try {
      feed(walker);
      walker.end();
      return { ok: true };
    } catch (e) {
      assert.ok(e instanceof DicomParseError, `expected DicomParseError, got ${String(e)}`);
      return { ok: false, offset: e.offset, message: e.message };
    }
  });
  for (const other of outcomes.slice(1)) {
    assert.equal(other.ok, outcomes[0].ok, `whole: ${JSON.stringify(outcomes[0])}, in chunks: ${JSON.stringify(other)}`);
    if (!other.ok && !outcomes[0].ok) assert.equal(other.offset, outcomes[0].offset, other.message);
  }
  return outcomes[0];
}

function accepts(bytes: Buffer, enc: Enc = EXPLICIT): void {
  const outcome = walk(bytes, enc);
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.message);
}

function refuses(bytes: Buffer, enc: Enc, offset: number, pattern: RegExp): void {
  const outcome = walk(bytes, enc);
  assert.ok(!outcome.ok, 'expected a refusal');
  assert.equal(outcome.offset, offset, outcome.message);
  assert.match(outcome.message, pattern);
  assert.match(outcome.message, new RegExp(`^malformed data set at byte ${offset}`));
}

const name = (enc: Enc) => el(enc, PATIENT_NAME, 'PN', 'DOE^JANE');
const modality = (enc: Enc) => el(enc, MODALITY, 'CS', 'CT');
const reference = (enc: Enc) => el(enc, REFERENCED_SOP_INSTANCE, 'UI', '1.2.3.4\0');

describe('DataSetWalker: data sets that do not parse are refused, with the offset', () => {
  it('an unknown VR (a fuzzed AccessionNumber "SJ" of 540,105,286 bytes)', () => {
    const bytes = Buffer.concat([name(EXPLICIT), el(EXPLICIT, ACCESSION, 'SH', 'A1'), modality(EXPLICIT)]);
    const at = name(EXPLICIT).length;
    bytes.write('SJ', at + 4, 'latin1');
    refuses(bytes, EXPLICIT, at, /\(0008,0050\) has VR "SJ", not a DICOM VR/);
    bytes[at + 4] = 0;
    refuses(bytes, EXPLICIT, at, /VR 0x004A/);
  });

  it('a length past the end of the data set, and a value cut short', () => {
    const bytes = Buffer.concat([name(EXPLICIT), el(EXPLICIT, ACCESSION, 'SH', 'A1', 0x2000)]);
    refuses(bytes, EXPLICIT, name(EXPLICIT).length, /truncated: \(0008,0050\) "SH" has a length of 8192 bytes, 2 remain in the data set/);
    const implicit = Buffer.concat([name(IMPLICIT), el(IMPLICIT, ACCESSION, '', 'A1', 540_105_286)]);
    refuses(implicit, IMPLICIT, name(IMPLICIT).length, /truncated/);
  });

  it('a data set that ends inside an element header', () => {
    const bytes = Buffer.concat([name(EXPLICIT), modality(EXPLICIT).subarray(0, 5)]);
    refuses(bytes, EXPLICIT, name(EXPLICIT).length, /truncated: the data ends 5 bytes into an element header/);
    const longHeader = Buffer.concat([name(EXPLICIT), el(EXPLICIT, PIXEL_DATA, 'OW', Buffer.alloc(4)).subarray(0, 10)]);
    refuses(longHeader, EXPLICIT, name(EXPLICIT).length, /10 bytes into an element header/);
  });

  it('an element longer than the item that holds it', () => {
    const content = Buffer.concat([reference(EXPLICIT), el(EXPLICIT, 0x00081150, 'UI', '1.2\0')]);
    const shortItem = Buffer.concat([delimiter(EXPLICIT, 0xfffee000, reference(EXPLICIT).length + 10), content]);
    const bytes = Buffer.concat([el(EXPLICIT, REFERENCED_IMAGES, 'SQ', Buffer.alloc(0), UNDEFINED), shortItem, delimiter(EXPLICIT, SEQUENCE_DELIMITER)]);
    refuses(bytes, EXPLICIT, 12 + 8 + reference(EXPLICIT).length, /\(0008,1150\) "UI" has a length of 4 bytes, 2 remain in item 1 of sequence \(0008,1140\)$/);
  });

  it('an item without its Item Delimitation Item', () => {
    const withoutDelimiter = Buffer.concat([el(EXPLICIT, REFERENCED_IMAGES, 'SQ', Buffer.alloc(0), UNDEFINED), delimiter(EXPLICIT, 0xfffee000, UNDEFINED), reference(EXPLICIT), delimiter(EXPLICIT, SEQUENCE_DELIMITER)]);
    refuses(Buffer.concat([withoutDelimiter, modality(EXPLICIT)]), EXPLICIT, 20 + reference(EXPLICIT).length, /a Sequence Delimitation Item in item 1 of sequence \(0008,1140\) before its end/);
  });

  it('a sequence of undefined length that the data set ends in', () => {
    const open = Buffer.concat([el(EXPLICIT, REFERENCED_IMAGES, 'SQ', Buffer.alloc(0), UNDEFINED), item(EXPLICIT, reference(EXPLICIT), true)]);
    refuses(open, EXPLICIT, 0, /sequence \(0008,1140\) .*Sequence Delimitation Item/);
  });

  it('delimiters and items outside a sequence', () => {
    const before = name(EXPLICIT);
    refuses(Buffer.concat([before, delimiter(EXPLICIT, SEQUENCE_DELIMITER), modality(EXPLICIT)]), EXPLICIT, before.length, /Sequence Delimitation Item in the data set, outside any sequence/);
    refuses(Buffer.concat([before, delimiter(EXPLICIT, ITEM_DELIMITER)]), EXPLICIT, before.length, /Item Delimitation Item in the data set/);
    refuses(Buffer.concat([before, item(EXPLICIT, modality(EXPLICIT))]), EXPLICIT, before.length, /an item in the data set/);
    refuses(Buffer.concat([before, delimiter(EXPLICIT, 0xfffe1234)]), EXPLICIT, before.length, /\(FFFE,1234\) .*group FFFE holds only items and delimiters/);
  });

  it('what is not an item inside a sequence, and a delimiter a defined-length sequence cannot have', () => {
    const notItem = Buffer.concat([el(EXPLICIT, REFERENCED_IMAGES, 'SQ', Buffer.alloc(0), UNDEFINED), modality(EXPLICIT), delimiter(EXPLICIT, SEQUENCE_DELIMITER)]);
    refuses(notItem, EXPLICIT, 12, /\(0008,0060\) in sequence \(0008,1140\), where only items may be/);
    const defined = seq(EXPLICIT, REFERENCED_IMAGES, [item(EXPLICIT, reference(EXPLICIT)), delimiter(EXPLICIT, SEQUENCE_DELIMITER)]);
    refuses(defined, EXPLICIT, 12 + 8 + reference(EXPLICIT).length, /Sequence Delimitation Item inside sequence \(0008,1140\), whose length is defined/);
    const inItem = seq(EXPLICIT, REFERENCED_IMAGES, [item(EXPLICIT, Buffer.concat([delimiter(EXPLICIT, ITEM_DELIMITER), reference(EXPLICIT)]))]);
    refuses(inItem, EXPLICIT, 20, /Item Delimitation Item inside item 1 of sequence \(0008,1140\), whose length is defined/);
    const itemDelimiter = seq(EXPLICIT, REFERENCED_IMAGES, [delimiter(EXPLICIT, ITEM_DELIMITER)], true);
    refuses(itemDelimiter, EXPLICIT, 12, /Item Delimitation Item in sequence \(0008,1140\) where an item was expected/);
  });

  it('undefined length where only SQ, UN and encapsulated Pixel Data may have it', () => {
    refuses(Buffer.concat([el(EXPLICIT, ACCESSION, 'UT', Buffer.alloc(0), UNDEFINED), delimiter(EXPLICIT, SEQUENCE_DELIMITER)]), EXPLICIT, 0, /\(0008,0050\) "UT" has undefined length/);
    refuses(Buffer.concat([el(EXPLICIT, 0x00420011, 'OB', Buffer.alloc(0), UNDEFINED), delimiter(EXPLICIT, SEQUENCE_DELIMITER)]), EXPLICIT, 0, /\(0042,0011\) "OB" has undefined length/);
    refuses(Buffer.concat([el(IMPLICIT, ACCESSION, '', Buffer.alloc(0), UNDEFINED), delimiter(IMPLICIT, SEQUENCE_DELIMITER)]), IMPLICIT, 0, /which the dictionary says is no sequence/);
  });

  it('encapsulated Pixel Data without its Basic Offset Table item, with a delimited fragment, or with a stray element', () => {
    const start = modality(EXPLICIT).length;
    const pixelHeader = el(EXPLICIT, PIXEL_DATA, 'OB', Buffer.alloc(0), UNDEFINED);
    refuses(Buffer.concat([modality(EXPLICIT), pixelHeader, delimiter(EXPLICIT, SEQUENCE_DELIMITER)]), EXPLICIT, start + 12, /has no Basic Offset Table item/);
    const undefinedFragment = Buffer.concat([modality(EXPLICIT), pixelHeader, delimiter(EXPLICIT, 0xfffee000, 0), delimiter(EXPLICIT, 0xfffee000, UNDEFINED)]);
    refuses(undefinedFragment, EXPLICIT, start + 20, /fragment 1 of encapsulated Pixel Data \(7FE0,0010\) has undefined length/);
    const stray = Buffer.concat([modality(EXPLICIT), pixelHeader, delimiter(EXPLICIT, 0xfffee000, 0), name(EXPLICIT)]);
    refuses(stray, EXPLICIT, start + 20, /\(0010,0010\) in encapsulated Pixel Data/);
  });

  it('encapsulated Pixel Data cut inside a fragment, or without its delimiter', () => {
    const whole = Buffer.concat([modality(EXPLICIT), encapsulated(EXPLICIT, [Buffer.alloc(0), Buffer.alloc(4096, 1)])]);
    const fragmentAt = modality(EXPLICIT).length + 12 + 8;
    refuses(whole.subarray(0, whole.length - 20), EXPLICIT, fragmentAt, /truncated: fragment 1 of encapsulated Pixel Data \(7FE0,0010\) has a length of 4096 bytes, 4084 remain/);
    refuses(whole.subarray(0, whole.length - 8), EXPLICIT, modality(EXPLICIT).length, /encapsulated Pixel Data \(7FE0,0010\) .*Sequence Delimitation Item/);
  });

  it('a defined-length sequence read from the dictionary in implicit VR, with a broken item inside', () => {
    const inner = item(IMPLICIT, reference(IMPLICIT));
    inner.writeUInt32LE(inner.length, 4); // the item claims 8 bytes more than the sequence holds
    const bytes = Buffer.concat([el(IMPLICIT, REFERENCED_IMAGES, '', inner), modality(IMPLICIT)]);
    refuses(bytes, IMPLICIT, 8, /item 1 of sequence \(0008,1140\) has a length of \d+ bytes, \d+ remain in sequence \(0008,1140\)/);
  });

  it('sequences nested without end', () => {
    const opener = Buffer.concat([el(EXPLICIT, REFERENCED_IMAGES, 'SQ', Buffer.alloc(0), UNDEFINED), delimiter(EXPLICIT, 0xfffee000, UNDEFINED)]);
    const bytes = Buffer.concat(Array.from({ length: 600 }, () => opener));
    refuses(bytes, EXPLICIT, 1024 * 10, /nested more than 1024 deep/);
  });

  it('counts offsets of a deflated data set in inflated bytes', () => {
    const walker = new DataSetWalker(EXPLICIT, { inflated: true });
    assert.throws(() => walker.push(Buffer.concat([name(EXPLICIT), delimiter(EXPLICIT, SEQUENCE_DELIMITER)])), /^Error: malformed data set at byte 16 of the inflated data set: /);
  });
});

describe('DataSetWalker: valid but unusual data sets are accepted', () => {
  it('odd value lengths, empty values, private elements, retired attributes and the newer VRs', () => {
    accepts(Buffer.concat([
      el(EXPLICIT, 0x00080040, 'US', Buffer.alloc(2)), // Data Set Type, retired
      el(EXPLICIT, 0x00080050, 'SH', ''),
      name(EXPLICIT),
      el(EXPLICIT, PRIVATE_CREATOR, 'LO', 'ACME 1.0'),
      el(EXPLICIT, 0x00091001, 'LO', 'odd'), // odd length, as old writers left it
      el(EXPLICIT, 0x00091002, 'UN', Buffer.alloc(5, 1)),
      ...['OD', 'OF', 'OL', 'OV', 'SV', 'UV', 'UC', 'UR', 'UT'].map((vr, i) => el(EXPLICIT, 0x00091003 + i, vr, Buffer.alloc(8))),
    ]));
  });

  it('nested sequences of undefined length, zero-length items and empty sequences', () => {
    const innermost = seq(EXPLICIT, REFERENCED_IMAGES, [item(EXPLICIT, reference(EXPLICIT), true), item(EXPLICIT, Buffer.alloc(0))], true);
    const middle = seq(EXPLICIT, ICON_IMAGE, [item(EXPLICIT, innermost, true), item(EXPLICIT, Buffer.alloc(0), true)], true);
    accepts(Buffer.concat([modality(EXPLICIT), middle, seq(EXPLICIT, 0x00400275, []), seq(EXPLICIT, 0x00400260, [], true), name(EXPLICIT)]));
    // a defined-length sequence of undefined-length items, and the reverse
    accepts(Buffer.concat([seq(EXPLICIT, REFERENCED_IMAGES, [item(EXPLICIT, reference(EXPLICIT), true)]), seq(EXPLICIT, ICON_IMAGE, [item(EXPLICIT, reference(EXPLICIT))], true)]));
  });

  it('a private sequence of undefined length in implicit VR, items of either length', () => {
    const privateSeq = seq(IMPLICIT, PRIVATE_SEQUENCE, [item(IMPLICIT, reference(IMPLICIT), true), item(IMPLICIT, el(IMPLICIT, 0x00091011, '', 'x '))], true);
    accepts(Buffer.concat([name(IMPLICIT), el(IMPLICIT, PRIVATE_CREATOR, '', 'ACME 1.0'), privateSeq, seq(IMPLICIT, REFERENCED_IMAGES, [item(IMPLICIT, reference(IMPLICIT))]), modality(IMPLICIT)]), IMPLICIT);
  });

  it('UN of undefined length, whose items are implicit VR little endian even in a big endian data set (PS3.5 6.2.2)', () => {
    for (const enc of [EXPLICIT, BIG]) {
      const un = Buffer.concat([el(enc, PRIVATE_SEQUENCE, 'UN', Buffer.alloc(0), UNDEFINED), item(IMPLICIT, reference(IMPLICIT), true), delimiter(IMPLICIT, SEQUENCE_DELIMITER)]);
      accepts(Buffer.concat([name(enc), el(enc, PRIVATE_CREATOR, 'LO', 'ACME 1.0'), un, modality(enc)]), enc);
    }
  });

  it('explicit VR big endian with sequences and odd-sized OB pixel data', () => {
    accepts(Buffer.concat([name(BIG), seq(BIG, REFERENCED_IMAGES, [item(BIG, reference(BIG)), item(BIG, reference(BIG), true)], true), el(BIG, PIXEL_DATA, 'OB', Buffer.alloc(33))]), BIG);
  });

  it('native pixel data of odd size followed by Data Set Trailing Padding', () => {
    accepts(Buffer.concat([modality(EXPLICIT), el(EXPLICIT, PIXEL_DATA, 'OW', Buffer.alloc(4097)), el(EXPLICIT, 0xfffcfffc, 'OB', Buffer.alloc(3))]));
    accepts(Buffer.concat([modality(IMPLICIT), el(IMPLICIT, PIXEL_DATA, '', Buffer.alloc(4097))]), IMPLICIT);
  });

  it('encapsulated Pixel Data: empty or filled offset table, odd and empty fragments, and icon pixel data in a sequence', () => {
    const icon = seq(EXPLICIT, ICON_IMAGE, [item(EXPLICIT, encapsulated(EXPLICIT, [Buffer.alloc(0), Buffer.alloc(11)]), true)], true);
    accepts(Buffer.concat([modality(EXPLICIT), icon, encapsulated(EXPLICIT, [Buffer.alloc(8), Buffer.alloc(101), Buffer.alloc(0), Buffer.alloc(64)])]));
  });

  it('a redundant Item Delimitation Item as the last bytes of a defined-length item, as DCMTK reads it', () => {
    const item1 = item(EXPLICIT, Buffer.concat([reference(EXPLICIT), delimiter(EXPLICIT, ITEM_DELIMITER)]));
    accepts(Buffer.concat([seq(EXPLICIT, REFERENCED_IMAGES, [item1]), modality(EXPLICIT)]));
  });

  it('delimiters whose length is not zero: the length of a delimiter is never used (PS3.5 7.5.2)', () => {
    accepts(Buffer.concat([el(EXPLICIT, REFERENCED_IMAGES, 'SQ', Buffer.alloc(0), UNDEFINED), delimiter(EXPLICIT, 0xfffee000, UNDEFINED), reference(EXPLICIT), delimiter(EXPLICIT, ITEM_DELIMITER, 4), delimiter(EXPLICIT, SEQUENCE_DELIMITER, 4)]));
  });

  it('reads only the headers when its caller skips what it does not need', () => {
    const pixels = Buffer.concat([modality(EXPLICIT), el(EXPLICIT, PIXEL_DATA, 'OW', Buffer.alloc(512 * 1024))]);
    for (const bytes of [pixels, Buffer.concat([pixels, el(EXPLICIT, 0xfffcfffc, 'OB', Buffer.alloc(2))])]) {
      const walker = new DataSetWalker(EXPLICIT, { end: bytes.length });
      let pushed = 0;
      for (let at = walker.needed; at < bytes.length; at = walker.needed) {
        const chunk = bytes.subarray(at, at + 64);
        pushed += chunk.length;
        walker.push(chunk, at);
      }
      walker.end(bytes.length);
      assert.ok(pushed < 200, `pushed ${pushed} bytes`);
      assert.equal(walker.pixelDataOffset, modality(EXPLICIT).length);
    }
  });
});

describe('DataSetWalker: fuzzed data sets', () => {
  it('either accepts a mutated data set or refuses it with a DicomParseError, never another error', () => {
    const icon = seq(EXPLICIT, ICON_IMAGE, [item(EXPLICIT, encapsulated(EXPLICIT, [Buffer.alloc(0), Buffer.alloc(11)]), true)], true);
    const valid = Buffer.concat([name(EXPLICIT), seq(EXPLICIT, REFERENCED_IMAGES, [item(EXPLICIT, reference(EXPLICIT)), item(EXPLICIT, reference(EXPLICIT), true)], true), icon, modality(EXPLICIT), encapsulated(EXPLICIT, [Buffer.alloc(4), Buffer.alloc(40)])]);
    let seed = 27;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let refused = 0;
    for (let run = 0; run < 3000; run++) {
      const bytes = Buffer.from(valid);
      for (let k = 0; k <= random(3); k++) bytes[random(bytes.length)] = random(256);
      const cut = random(4) === 0 ? bytes.subarray(0, random(bytes.length)) : bytes;
      const outcome = walk(cut, random(2) ? EXPLICIT : IMPLICIT);
      if (!outcome.ok) refused++;
    }
    assert.ok(refused > 1000, `${refused} of 3000 refused`);
  });
});

describe('DataSetWalker: cost per instance (timing printed, not asserted)', () => {
  const ct = Buffer.concat([name(EXPLICIT), modality(EXPLICIT), el(EXPLICIT, PIXEL_DATA, 'OW', Buffer.alloc(512 * 1024))]);
  const manyElements = Array.from({ length: 2000 }, (_, i) => el(EXPLICIT, 0x00091000 + (i % 0xff) + 0x10000 * (i >> 8), 'LO', 'value '));
  const bigHeader = Buffer.concat([el(EXPLICIT, PRIVATE_CREATOR, 'LO', 'ACME 1.0'), ...manyElements, el(EXPLICIT, PIXEL_DATA, 'OW', Buffer.alloc(64 * 1024))]);
  const jpeg = Buffer.concat([name(EXPLICIT), encapsulated(EXPLICIT, [Buffer.alloc(0), Buffer.alloc(256 * 1024, 5)])]);

  function time(label: string, feed: () => void): void {
    for (let i = 0; i < 200; i++) feed();
    const runs = 2000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) feed();
    console.log(`${label}: ${(Number(process.hrtime.bigint() - start) / 1e3 / runs).toFixed(2)} µs per instance`);
  }

  it('walks a 512 KB CT, a 2,000-element header and an encapsulated CT', () => {
    for (const [label, bytes] of [['512 KB CT', ct], ['2,000-element header', bigHeader], ['encapsulated CT', jpeg]] as const) {
      time(`${label}, headers only (values skipped)`, () => {
        const walker = new DataSetWalker(EXPLICIT, { end: bytes.length });
        for (let at = walker.needed; at < bytes.length; at = walker.needed) walker.push(bytes.subarray(at, at + 64 * 1024), at);
        walker.end(bytes.length);
      });
      time(`${label}, every byte in 16 KiB chunks`, () => {
        const walker = new DataSetWalker(EXPLICIT);
        for (let at = 0; at < bytes.length; at += 16 * 1024) walker.push(bytes.subarray(at, at + 16 * 1024));
        walker.end();
      });
    }
  });
});
