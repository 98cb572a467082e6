// The OpenAPI document a viewer developer or RIS integrator reads: public, OpenAPI 3, every
// route listed, and bearer security on everything but the token endpoint, /health and /metrics (its own scrape token).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes?: Record<string, { type: string; scheme?: string; bearerFormat?: string }> };
}

const PUBLIC_OPERATIONS = ['post /api/auth/token', 'get /health', 'get /metrics'];

describe('OpenAPI document', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('serves /api/docs-json without a token as an OpenAPI 3 document listing the REST, DICOMweb and health routes', async () => {
    const res = await http(`${server.httpUrl}/api/docs-json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const doc = res.json<OpenApiDocument>();
    assert.match(doc.openapi, /^3\./);
    assert.ok(doc.info.title);
    assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
    for (const path of [
      '/api/auth/token',
      '/api/users',
      '/api/peers',
      '/api/storage-commitments',
      '/api/worklist',
      '/api/worklist/{id}',
      '/api/mpps',
      '/api/studies/{studyUid}/completeness',
      '/api/studies/{studyUid}',
      '/api/patients/merge',
      '/api/series/{seriesUid}/move',
      '/dicomweb/studies',
      '/dicomweb/studies/{study}/series/{series}/instances/{instance}',
      '/health',
    ]) {
      assert.ok(doc.paths[path], `missing path ${path}`);
    }
    assert.deepEqual(Object.keys(doc.paths['/api/peers/{aeTitle}']).sort(), ['delete', 'get', 'patch', 'put']);
  });

  it('requires the bearer scheme on every operation except the token endpoint, /health and /metrics (scrape token)', async () => {
    const doc = (await http(`${server.httpUrl}/api/docs-json`)).json<OpenApiDocument>();
    assert.deepEqual(doc.components.securitySchemes?.bearer, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const name = `${method} ${path}`;
        const bearer = op.security?.some((s) => 'bearer' in s) ?? false;
        assert.equal(bearer, !PUBLIC_OPERATIONS.includes(name), `${name}: bearer security ${bearer}`);
        if (bearer) assert.ok(op.responses['401'] && op.responses['403'], `${name}: 401/403 not documented`);
      }
    }
    // /metrics takes the static scrape token (PACS_METRICS_TOKEN) instead of a user's JWT.
    const metrics = doc.paths['/metrics'].get;
    assert.deepEqual(metrics.security, [{ 'metrics-token': [] }]);
    assert.ok(metrics.responses['401'] && metrics.responses['404'], 'get /metrics: 401/404 not documented');
    assert.notEqual(doc.components.securitySchemes?.['metrics-token']?.bearerFormat, 'JWT', 'the scrape token is no JWT');
    for (const name of ['post /api/auth/token', 'get /health']) {
      const [method, path] = name.split(' ');
      assert.deepEqual(doc.paths[path][method].security, [], `${name} declares that it takes no credentials`);
    }
  });

  it('passes Redocly lint (recommended rules) without errors', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pacs-openapi-')), 'openapi.json');
    writeFileSync(file, (await http(`${server.httpUrl}/api/docs-json`)).body);
    const redocly = join(process.cwd(), 'node_modules', '.bin', 'redocly');
    const run = await promisify(execFile)(redocly, ['lint', file, '--format=stylish'], { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } }).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, output: err.stdout + err.stderr }),
    );
    assert.equal(run.code, 0, run.output);
    assert.doesNotMatch(run.output, /\berror\b/, run.output);
  });

  it('serves Swagger UI at /api/docs without a token', async () => {
    const res = await http(`${server.httpUrl}/api/docs`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.body.toString('utf8'), /swagger-ui/i);
  });
});
