// GET /metrics as a Prometheus server scrapes it: only with the scrape token, in the text format,
// counting what a modality and a viewer just did.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storescu } from '../support/dcmtk';
import { generateStudy } from '../support/generator';
import { http, multipartRelated } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

const SCRAPE_TOKEN = 'scrape-token-0123456789';

/** The value of one sample (`name{labels} value`) in a text exposition; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics (Prometheus)', () => {
  let server: TestServer;
  const scrape = async () => {
    const res = await http(`${server.httpUrl}/metrics`, { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } });
    assert.equal(res.status, 200, res.body.toString());
    return { text: res.body.toString('utf8'), contentType: res.headers.get('content-type') ?? '' };
  };

  before(async () => {
    server = await startTestServer({ env: { PACS_METRICS_TOKEN: SCRAPE_TOKEN, PACS_NODE_ID: 'pacs-a' } });
  });
  after(async () => {
    await server?.stop();
  });

  it('answers 401 without the scrape token, with a user token, or with a wrong one', async () => {
    const url = `${server.httpUrl}/metrics`;
    assert.equal((await http(url)).status, 401);
    assert.equal((await http(url, { token: await server.token() })).status, 401);
    assert.equal((await http(url, { token: `${SCRAPE_TOKEN}x` })).status, 401);
  });

  it('serves the text format with process, DICOM and storage figures', async () => {
    const { text, contentType } = await scrape();
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    assert.ok((sample(text, 'pacs_process_resident_memory_bytes{node="pacs-a"}') ?? 0) > 0);
    assert.equal(sample(text, 'pacs_dimse_associations{node="pacs-a"}'), 0);
    assert.ok((sample(text, 'pacs_storage_free_bytes{node="pacs-a"}') ?? 0) > 0);
    assert.ok((sample(text, 'pacs_storage_total_bytes{node="pacs-a"}') ?? 0) >= (sample(text, 'pacs_storage_free_bytes{node="pacs-a"}') ?? Infinity));
  });

  it('counts instances stored over DIMSE, overwritten, and refused over STOW-RS', async () => {
    const study = generateStudy(mkdtempSync(join(tmpdir(), 'pacs-metrics-')), { series: 1, instancesPerSeries: 3, patientId: 'METRICS-1' });
    assert.deepEqual((await storescu(server.dimsePort, study.files)).statuses, ['0x0000', '0x0000', '0x0000']);
    assert.deepEqual((await storescu(server.dimsePort, study.files.slice(0, 1))).statuses, ['0x0000']);
    const garbage = multipartRelated([Buffer.from('not a DICOM instance')]);
    const stow = await http(`${server.httpUrl}/dicomweb/studies`, {
      method: 'POST',
      token: await server.token(),
      headers: { 'content-type': garbage.contentType, accept: 'application/dicom+json' },
      body: garbage.body,
    });
    assert.equal(stow.status, 409);
    const { text } = await scrape();
    assert.equal(sample(text, 'pacs_instances_stored_total{channel="dimse",result="stored",node="pacs-a"}'), 3);
    assert.equal(sample(text, 'pacs_instances_stored_total{channel="dimse",result="overwritten",node="pacs-a"}'), 1);
    assert.equal(sample(text, 'pacs_instances_refused_total{channel="stow",reason="unparsable",node="pacs-a"}'), 1);
  });
});

describe('GET /metrics without PACS_METRICS_TOKEN', () => {
  it('is off: 404 naming the setting', async () => {
    const server = await startTestServer();
    try {
      const res = await http(`${server.httpUrl}/metrics`, { headers: { authorization: 'Bearer anything-at-all-here' } });
      assert.equal(res.status, 404);
      assert.match(res.body.toString(), /PACS_METRICS_TOKEN/);
    } finally {
      await server.stop();
    }
  });
});
