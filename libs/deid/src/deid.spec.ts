import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertDeidentifiedLike, deidCorpus, IDENTIFYING, readDataset } from '../../../test/support/deid-corpus';
import { data } from 'dcmjs';
import { buildInstance, TransferSyntax } from '../../../test/support/generator';
import { cleanText } from './dataset-deidentifier';
import type { PacsConfig } from '@pacs/config';
import { DeidError } from './deid.errors';
import { DeidService } from './deid.service';
import { deidentifyPart10 } from './part10-deidentifier';
import { profileEntry, treatmentOf } from './profile-table';
import { Pseudonyms, shiftDate, shiftDateTime } from './pseudonyms';

const keys = new Pseudonyms('a-secret-of-twenty-chars');
const BASIC = { profile: 'basic' as const, options: [] };
const ALL = { profile: 'basic' as const, options: ['modified-dates' as const, 'clean-descriptors' as const] };
const str = (ds: Record<string, { Value?: unknown[] }>, tag: string) => ds[tag]?.Value?.[0];

describe('PS3.15 Table E.1-1 as generated from the standard (edition 2024b)', () => {
  it('holds the rows of the standard, the repeating groups included', () => {
    assert.deepEqual(profileEntry('00100010'), { name: "Patient's Name", basic: 'Z' });
    assert.equal(profileEntry('0020000D')?.basic, 'U');
    assert.equal(profileEntry('00081140')?.basic, 'X/Z/U*');
    assert.equal(profileEntry('60024000')?.name, 'Overlay Comments');
    assert.equal(profileEntry('50101234')?.name, 'Curve Data');
    assert.equal(profileEntry('7FE00010'), undefined, 'Pixel Data is not in the table: kept');
  });

  it('resolves the actions and options (E.3.1, E.3.5, E.3.6) and removes private attributes', () => {
    assert.equal(treatmentOf('00081030', new Set()), 'remove');
    assert.equal(treatmentOf('00081030', new Set(['clean-descriptors'])), 'clean');
    assert.equal(treatmentOf('00080020', new Set()), 'zero');
    assert.equal(treatmentOf('00080020', new Set(['modified-dates'])), 'clean');
    assert.equal(treatmentOf('00080080', new Set()), 'dummy', 'X/Z/D');
    assert.equal(treatmentOf('00081140', new Set()), 'uids-within', 'X/Z/U*');
    assert.equal(treatmentOf('00091001', new Set()), 'remove');
    assert.equal(treatmentOf('00280010', new Set()), undefined);
  });
});

describe('consistent pseudonyms under one secret', () => {
  it('maps a UID to 2.25 and 128 bits of HMAC, always the same, and differently under another secret', () => {
    const uid = keys.uid('1.2.3.4');
    assert.match(uid, /^2\.25\.[1-9]\d*$/);
    assert.ok(uid.length <= 64);
    assert.equal(keys.uid('1.2.3.4'), uid);
    assert.notEqual(new Pseudonyms('another-secret-of-20').uid('1.2.3.4'), uid);
  });

  it('gives one patient (ID and issuer) one ID, name and date shift; another issuer is another patient', () => {
    const a = keys.patient('PAT-1', 'MERCY');
    assert.deepEqual(keys.patient('PAT-1', 'MERCY'), a);
    assert.notEqual(keys.patient('PAT-1', 'OTHER').id, a.id);
    assert.ok(a.shiftDays >= 1 && a.shiftDays <= 3650);
  });

  it('shifts dates and date-times back by whole days; an invalid date cannot be shifted', () => {
    assert.equal(shiftDate('20240301', 1), '20240229');
    assert.equal(shiftDateTime('20240101103000.5+0100', 1), '20231231103000.5+0100');
    assert.equal(shiftDate('20241399', 1), undefined);
    assert.equal(shiftDate('2024.01.01', 1), undefined);
  });

  it('cleans a descriptor of the identifying words, whole words only', () => {
    assert.equal(cleanText('Head SMITH PAT-77812 smithson', ['PAT-77812', 'SMITH']), 'Head smithson');
  });
});

describe('de-identifying a CT, an MR and an SR (Basic Profile)', () => {
  const corpus = deidCorpus();
  for (const [name, options] of [['basic', BASIC], ['basic with modified dates and clean descriptors', ALL]] as const) {
    for (const kind of ['ct', 'mr', 'sr'] as const) {
      it(`${kind.toUpperCase()}, ${name}: every attribute as Table E.1-1 says, nested and private ones included`, () => {
        const out = deidentifyPart10(corpus[kind].bytes, options, keys);
        const copy = readDataset(out.bytes);
        assertDeidentifiedLike(readDataset(corpus[kind].bytes), copy, [...options.options]);
        for (const word of IDENTIFYING) assert.ok(!out.bytes.includes(Buffer.from(word, 'latin1')), `${word} survived`);
        assert.ok(!out.bytes.includes(Buffer.from(corpus[kind].studyUid)), 'the original study UID survived');
        assert.equal(str(copy, '00120062'), 'YES');
        const codes = (copy['00120064'].Value as Array<Record<string, { Value: string[] }>>).map((item) => item['00080100'].Value[0]);
        assert.deepEqual(codes, options.options.length ? ['113100', '113107', '113105'] : ['113100']);
        assert.equal(out.studyUid, keys.uid(corpus[kind].studyUid));
      });
    }
  }

  it('gives the two studies of one patient one pseudonym, and each study one new UID for all its instances', () => {
    const [ct, mr, sr] = (['ct', 'mr', 'sr'] as const).map((k) => readDataset(deidentifyPart10(corpus[k].bytes, BASIC, keys).bytes));
    assert.equal(str(ct, '00100020'), str(mr, '00100020'));
    assert.deepEqual(str(ct, '00100010'), str(mr, '00100010'));
    assert.equal(str(ct, '0020000D'), str(sr, '0020000D'));
    assert.notEqual(str(ct, '0020000D'), str(mr, '0020000D'));
  });

  it('moves dates back by the patient shift with the Modified Dates option, and keeps the pixel data byte for byte', () => {
    const out = deidentifyPart10(corpus.ct.bytes, ALL, keys);
    const copy = readDataset(out.bytes);
    const shift = keys.patient('PAT-77812', 'MERCY').shiftDays;
    assert.equal(str(copy, '00080020'), shiftDate('20240315', shift));
    assert.equal(str(copy, '00280303'), 'MODIFIED');
    assert.equal(str(copy, '00081030'), 'Head', 'Study Description cleaned of name and ID');
    const pixels = (d: Record<string, { Value?: unknown[] }>) => Buffer.from(d['7FE00010'].Value?.[0] as ArrayBuffer);
    assert.ok(pixels(copy).equals(pixels(readDataset(corpus.ct.bytes))));
  });

  it('writes a copy of a deflated instance as Explicit VR Little Endian (dcmjs cannot deflate), its pixels unchanged', () => {
    const deflated = buildInstance({ transferSyntaxUid: TransferSyntax.DeflatedExplicitLittleEndian });
    const copy = readDataset(deidentifyPart10(deflated.bytes, BASIC, keys).bytes);
    const meta = data.DicomMessage.readFile(new Uint8Array(deidentifyPart10(deflated.bytes, BASIC, keys).bytes).buffer).meta;
    assert.equal(meta['00020010'].Value?.[0], TransferSyntax.ExplicitLittleEndian);
    const pixels = (d: Record<string, { Value?: unknown[] }>) => Buffer.from(d['7FE00010'].Value?.[0] as ArrayBuffer);
    assert.ok(pixels(copy).equals(pixels(readDataset(deflated.bytes))));
  });

  it('refuses an instance flagged Burned In Annotation YES unless the option allows it', () => {
    const burned = buildInstance({ extra: { BurnedInAnnotation: 'YES' } });
    assert.throws(() => deidentifyPart10(burned.bytes, BASIC, keys), (err: DeidError) => err.code === 'deid-refused' && /Burned In Annotation/.test(err.message));
    const out = deidentifyPart10(burned.bytes, { profile: 'basic', options: ['allow-burned-in-annotation'] }, keys);
    assert.equal(str(readDataset(out.bytes), '00120062'), 'YES');
  });
});

describe('the de-identification secret', () => {
  it('is required: without PACS_DEID_SECRET de-identification is refused (deid-not-configured), naming the setting', () => {
    const service = new DeidService({ deid: { secret: null } } as PacsConfig);
    assert.throws(() => service.deidentify(buildInstance().bytes, BASIC), (err: DeidError) => err.code === 'deid-not-configured' && /PACS_DEID_SECRET/.test(err.message));
  });
});
