// The short form of the fuzz run (npm run fuzz does 5,000): a few hundred generated malformed
// DIMSE and HTTP inputs, seeded and reproducible, against the real server. No input may go
// unanswered or get a 5xx, the server keeps serving a normal C-STORE and /health, and every
// file it stored parses with DCMTK.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, TestServer } from '../support/server';
import { FUZZ_SERVER_ENV, fuzzTarget } from '../fuzz/fuzz-server';
import { runFuzz } from '../fuzz/fuzz-run';

const SEED = Number(process.env.PACS_FUZZ_SEED ?? 20261207);
const COUNT = Number(process.env.PACS_FUZZ_COUNT ?? 300);

describe('malformed input from a stranger (fuzz, short form)', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ env: FUZZ_SERVER_ENV });
  });
  after(async () => {
    await server?.stop();
  });

  it(`answers ${COUNT} generated malformed DIMSE and HTTP inputs (seed ${SEED}) without a 5xx, a hang or an unparseable stored file`, async () => {
    const report = await runFuzz(await fuzzTarget(server), server.dataDir, { seed: SEED, count: COUNT });
    assert.deepEqual(report.violations, [], `replay one with: npm run fuzz -- --seed ${SEED} --only <index>`);
    assert.deepEqual(report.unparseable, []);
    assert.ok(report.dimse > COUNT / 4 && report.http > COUNT / 4, 'both kinds of input were sent');
  });
});
