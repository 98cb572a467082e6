// The short form of the chaos run (npm run chaos is the long one): four modalities ingest while
// the server and its PostgreSQL are SIGKILLed every few seconds and restarted, then overwrite
// the same instances from four associations at once, still under kills. Nothing acknowledged
// may be lost or changed, counts stay exact, the audit chain verifies, and the storage holds
// exactly one blob per instance.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from '../chaos/chaos-run';
import { chaosVerdict, formatReport } from '../chaos/report';

describe('crashes during ingest and overwrites (chaos, short form)', () => {
  it('loses no acknowledged instance and leaves no blob without its row through repeated SIGKILLs', async (t) => {
    const report = await runChaos({
      corpus: { studies: 5, seriesPerStudy: 2, instancesPerSeries: 100, largeEvery: 10 },
      associations: 4,
      killEveryMs: [1_500, 3_000],
      overwrite: { instances: 20, associations: 4, rounds: 3 },
      seed: Number(process.env.PACS_CHAOS_SEED ?? 1207),
    });
    t.diagnostic(formatReport(report));
    assert.ok(report.kills >= 2, `at least two kills landed (${report.kills})`);
    assert.deepEqual(chaosVerdict(report), [], formatReport(report));
  });
});
