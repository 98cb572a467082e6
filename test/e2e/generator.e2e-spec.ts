// Proves the test support itself: generated files are valid for DCMTK (dcmdump reads them in
// every transfer syntax, decoders recover the exact pixels) and storescu sends them to a
// DCMTK storescp with success statuses. Needs no PACS server.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseStoreStatuses, runDcmtk, startStorescp, storescu } from '../support/dcmtk';
import { BASIC_TEXT_SR, ENCAPSULATED_PDF, TransferSyntax, generateStudy, writeInstance } from '../support/generator';
import { gradientFrame } from '../support/pixel-data';
import { freePort } from '../support/ports';

interface Sample { name: string; file: string; sopInstanceUid: string; transferSyntaxUid: string; dcmdumpName: string; proposal: string[] }

const DCMDUMP_NAMES: Record<string, string> = {
  [TransferSyntax.ImplicitLittleEndian]: 'Little Endian Implicit',
  [TransferSyntax.ExplicitLittleEndian]: 'Little Endian Explicit',
  [TransferSyntax.ExplicitBigEndian]: 'Big Endian Explicit',
  [TransferSyntax.DeflatedExplicitLittleEndian]: 'Deflated Explicit VR Little Endian',
  [TransferSyntax.JpegBaseline]: 'JPEG Baseline',
  [TransferSyntax.RleLossless]: 'RLE Lossless',
};
/** storescu proposes uncompressed syntaxes only unless told; these send each file as it is. */
const PROPOSAL: Record<string, string[]> = {
  [TransferSyntax.DeflatedExplicitLittleEndian]: ['-xd'],
  [TransferSyntax.JpegBaseline]: ['-xy'],
  [TransferSyntax.RleLossless]: ['-xr'],
};
const GEOMETRY = { rows: 40, columns: 130, bitsAllocated: 16 as const };

let dir: string;
const samples: Sample[] = [];

function sample(name: string, spec: Parameters<typeof writeInstance>[1]): void {
  const built = writeInstance(join(dir, `${name}.dcm`), spec);
  samples.push({
    name,
    file: join(dir, `${name}.dcm`),
    sopInstanceUid: built.sopInstanceUid,
    transferSyntaxUid: built.transferSyntaxUid,
    dcmdumpName: DCMDUMP_NAMES[built.transferSyntaxUid],
    proposal: PROPOSAL[built.transferSyntaxUid] ?? [],
  });
}

/** Pixel Data of a file as little-endian native bytes, via DCMTK's own decoders. */
async function nativePixels(s: Sample): Promise<Buffer> {
  const out = join(dir, 'decoded', `${s.name}.dcm`);
  mkdirSync(join(dir, 'decoded', s.name), { recursive: true });
  const tool = s.transferSyntaxUid === TransferSyntax.RleLossless ? 'dcmdrle' : 'dcmconv';
  const converted = await runDcmtk(tool, ['+te', s.file, out]);
  assert.equal(converted.code, 0, `${tool} ${s.name}: ${converted.stderr}`);
  const dumped = await runDcmtk('dcmdump', ['+W', join(dir, 'decoded', s.name), out]);
  assert.equal(dumped.code, 0, dumped.stderr);
  return readFileSync(join(dir, 'decoded', s.name, `${s.name}.dcm.0.raw`));
}

describe('test data generator and DCMTK helpers', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pacs-generator-'));
    for (const [key, ts] of Object.entries(TransferSyntax)) sample(key, { transferSyntaxUid: ts, ...GEOMETRY });
    sample('pdf', { sopClassUid: ENCAPSULATED_PDF, rows: 0 });
    sample('sr', { sopClassUid: BASIC_TEXT_SR, rows: 0, transferSyntaxUid: TransferSyntax.ExplicitBigEndian });
    sample('latin1', { patientName: 'Müller^Jürgen', specificCharacterSet: 'ISO_IR 100' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes files dcmdump reads, in the transfer syntax and with the SOP Instance UID asked for', async () => {
    for (const s of samples) {
      const { code, stdout, stderr } = await runDcmtk('dcmdump', ['-Un', s.file]);
      assert.equal(code, 0, `${s.name}: ${stderr}`);
      assert.doesNotMatch(stderr, /^[EW]:/m, s.name);
      assert.match(stdout, new RegExp(`\\(0002,0010\\) UI \\[${s.transferSyntaxUid.replace(/\./g, '\\.')}\\]`), s.name);
      assert.ok(stdout.includes(`# Used TransferSyntax: ${s.dcmdumpName}\n`), `${s.name}: ${stdout.slice(0, 2000)}`);
      assert.ok(stdout.includes(`(0008,0018) UI [${s.sopInstanceUid}]`), s.name);
    }
  });

  it('encodes pixel data that DCMTK decodes back to the same gradient', async () => {
    const expected = gradientFrame(GEOMETRY);
    const lossless = ['ImplicitLittleEndian', 'ExplicitBigEndian', 'DeflatedExplicitLittleEndian', 'RleLossless'];
    for (const s of samples.filter((x) => lossless.includes(x.name))) {
      assert.ok((await nativePixels(s)).equals(expected), `${s.name} pixels differ`);
    }
    const jpeg = samples.find((x) => x.name === 'JpegBaseline')!;
    const decoded = await runDcmtk('dcmdjpeg', [jpeg.file, join(dir, 'jpeg-decoded.dcm')]);
    assert.equal(decoded.code, 0, decoded.stderr);
    assert.equal(decoded.stderr, '');
  });

  it('encodes names in the declared single-byte character set', () => {
    const bytes = readFileSync(samples.find((x) => x.name === 'latin1')!.file);
    assert.ok(bytes.includes(Buffer.from('Müller^Jürgen', 'latin1')));
    assert.ok(!bytes.includes(Buffer.from('Müller', 'utf8')));
  });

  it('sends every file with storescu to a storescp, all statuses 0x0000, and they arrive', async () => {
    const port = await freePort();
    const received = join(dir, 'received');
    mkdirSync(received);
    const scp = await startStorescp(port, received, 'STORESCP');
    try {
      for (const proposal of [[], ['-xd'], ['-xy'], ['-xr']]) {
        const batch = samples.filter((s) => s.proposal.join() === proposal.join()).map((s) => s.file);
        const result = await storescu(port, batch, { calledAe: 'STORESCP', extraArgs: proposal });
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(result.statuses, batch.map(() => '0x0000'), `${result.stdout}\n${result.stderr}`);
      }
    } finally {
      await scp.stop();
    }
    const arrived = readdirSync(received);
    for (const s of samples) assert.ok(arrived.some((f) => f.endsWith(s.sopInstanceUid)), `${s.name} did not arrive`);
  });

  it('writes a study of several series with distinct UIDs', async () => {
    const study = generateStudy(join(dir, 'study'), { series: 2, instancesPerSeries: 3, patientId: 'P-STUDY' });
    assert.equal(study.files.length, 6);
    assert.equal(new Set(study.sopInstanceUids).size, 6);
    assert.equal(new Set(study.seriesUids).size, 2);
    const { code, stdout } = await runDcmtk('dcmdump', [study.files[5]]);
    assert.equal(code, 0);
    assert.ok(stdout.includes(`(0020,000d) UI [${study.studyUid}]`));
    assert.ok(stdout.includes(`(0020,000e) UI [${study.seriesUids[1]}]`));
  });

  it('parses C-STORE statuses from storescu verbose and debug output', () => {
    const verbose = [
      'I: Received Store Response (Success)',
      'I: Received Store Response (Refused: OutOfResources)',
      'I: Received Store Response (Error: CannotUnderstand)',
      'I: Received Store Response (Unknown Status: 0xa801)',
      'I: Received Store Response (Warning: CoercionOfDataElements)',
    ].join('\n');
    assert.deepEqual(parseStoreStatuses(verbose), ['0x0000', '0xa700', '0xc000', '0xa801', '0xb000']);
    const debug = 'D: DIMSE Status                  : 0xA701: Refused: Out of resources\nD: DIMSE Status : 0x0000: Success';
    assert.deepEqual(parseStoreStatuses(debug), ['0xa701', '0x0000']);
  });
});
