import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GENESIS_HASH, normalizeEvent } from './audit-event';
import { chooseExportFormat, exportStream } from './audit-export';

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk;
  return out;
}

async function* events() {
  yield { ...normalizeEvent({ actor: 'ann, "x"', actorType: 'user', action: '110112', actionCode: 'E', outcome: 0, studyUids: ['1.2', '3.4'] }, GENESIS_HASH, 'pacs-a'), id: 7 };
}

describe('audit export', () => {
  it('chooses the format from ?format, else from Accept, else NDJSON', () => {
    assert.equal(chooseExportFormat('csv', 'application/x-ndjson'), 'csv');
    assert.equal(chooseExportFormat(undefined, 'text/csv'), 'csv');
    assert.equal(chooseExportFormat(undefined, 'application/x-ndjson'), 'ndjson');
    assert.equal(chooseExportFormat(undefined, undefined), 'ndjson');
  });

  it('writes RFC 4180 CSV with a header row, quoted fields and space-separated study UIDs', async () => {
    const csv = await text(exportStream(events(), 'csv'));
    const [header, row] = csv.split('\r\n');
    assert.match(header, /^id,time,actor,actorType,/);
    assert.match(row, /^7,[^,]+,"ann, ""x""",user,,110112,Query,E,0,,1\.2 3\.4,\{\},pacs-a,0{64},[0-9a-f]{64}$/);
  });

  it('defuses text a spreadsheet would run as a formula, in CSV only', async () => {
    async function* hostile() {
      yield { ...normalizeEvent({ actor: '=HYPERLINK("http://x")', actorType: 'user', action: '110112', actionCode: 'E', outcome: 0, patientId: '-1+2' }, GENESIS_HASH, null), id: 8 };
    }
    const row = (await text(exportStream(hostile(), 'csv'))).split('\r\n')[1];
    assert.match(row, /^8,[^,]+,"'=HYPERLINK\(""http:\/\/x""\)",user,/);
    assert.match(row, /,'-1\+2,/);
    const line = JSON.parse((await text(exportStream(hostile(), 'ndjson'))).trim());
    assert.equal(line.actor, '=HYPERLINK("http://x")');
  });

  it('writes one JSON object per line in NDJSON', async () => {
    const lines = (await text(exportStream(events(), 'ndjson'))).trim().split('\n');
    assert.equal(lines.length, 1);
    assert.equal(JSON.parse(lines[0]).id, 7);
  });
});
