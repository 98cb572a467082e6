// Clients that hold the HTTP port without finishing what they started: bodies that stall or
// trickle, Content-Lengths that lie, requests without Host or with garbage in them, and floods of
// idle connections. Each gets an answer in the API's JSON error shape when one can still be given,
// its connection closed, a log line, and everyone else keeps being served. Bare sockets: no HTTP
// client sends these.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildInstance, newUid } from '../support/generator';
import { http, multipartRelated } from '../support/http';
import { RawAnswer, rawHttp, RawHttpConnection, requestHead } from '../support/raw-http';
import { startTestServer, TestServer, waitForLog } from '../support/server';

const IDLE_MS = 1000;
const REQUEST_MS = 3000;

/** The error body of every refusal (apps/pacs-server http-error.filter.ts). */
function assertError(answer: RawAnswer, status: number, error: string, message?: RegExp): void {
  assert.equal(answer.status, status, answer.body);
  assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
  const body = answer.json();
  assert.equal(body.error, error, answer.body);
  assert.equal(typeof body.correlationId, 'string');
  if (message) assert.match(body.message, message);
}

async function elapsed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await work();
  return [result, Date.now() - started];
}

describe('HTTP: request deadlines, declared lengths and malformed requests', () => {
  let server: TestServer;
  let port: number;
  let token: string;
  const connect = () => rawHttp(port);
  const authorized = () => ({ authorization: `Bearer ${token}` });

  before(async () => {
    server = await startTestServer({ env: { PACS_HTTP_IDLE_TIMEOUT_MS: String(IDLE_MS), PACS_HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS) } });
    port = Number(new URL(server.httpUrl).port);
    token = await server.token();
  });
  after(async () => {
    await server?.stop();
  });

  it('answers 408 and closes the connection when a body stops arriving (PACS_HTTP_IDLE_TIMEOUT_MS)', async () => {
    for (const [path, type] of [['/api/peers', 'application/json'], ['/dicomweb/studies', 'application/dicom']]) {
      const client = await connect();
      client.socket.write(requestHead('POST', path, { ...authorized(), 'content-type': type, 'content-length': 1000 }) + '{"aeTitle":');
      const [answer, ms] = await elapsed(() => client.answer());
      assertError(answer, 408, 'request-timeout', /PACS_HTTP_IDLE_TIMEOUT_MS/);
      assert.ok(ms >= IDLE_MS - 100 && ms < IDLE_MS + 2000, `${path}: answered after ${ms} ms`);
      assert.ok(await client.closedWithin(1000), `${path}: connection left open`);
    }
    assert.ok(await waitForLog(server, /HTTP request refused: no data received for 1000 ms/));
  });

  it('answers 408 to a body trickled too slowly to finish within PACS_HTTP_REQUEST_TIMEOUT_MS', async () => {
    const client = await connect();
    client.socket.write(requestHead('POST', '/dicomweb/studies', { ...authorized(), 'content-type': 'application/dicom', 'content-length': 100_000 }));
    const trickle = setInterval(() => client.socket.writable && client.socket.write('x'), IDLE_MS / 4);
    try {
      const [answer, ms] = await elapsed(() => client.answer());
      assertError(answer, 408, 'request-timeout', /PACS_HTTP_REQUEST_TIMEOUT_MS/);
      assert.ok(ms >= REQUEST_MS - 100 && ms < REQUEST_MS + 2500, `answered after ${ms} ms`);
      assert.ok(await client.closedWithin(1000));
    } finally {
      clearInterval(trickle);
    }
  });

  it('closes a connection that sends nothing, without waiting for a keep-alive timeout', async () => {
    const client = await connect();
    assert.ok(await client.closedWithin(IDLE_MS + 1500));
  });

  it('refuses a declared Content-Length above the limit with 413 at once, before reading the body', async () => {
    const dicom = buildInstance({ studyUid: newUid() });
    const { body, contentType } = multipartRelated([dicom.bytes]);
    const cases: [string, Record<string, string | number>, RegExp][] = [
      ['/api/peers', { 'content-type': 'application/json', 'content-length': 1e9 }, /too large/i],
      ['/dicomweb/studies', { 'content-type': contentType, 'content-length': '9223372036854775808' }, /PACS_HTTP_STOW_BODY_LIMIT/],
      ['/dicomweb/studies', { 'content-type': 'application/dicom', 'content-length': 2 ** 33 }, /PACS_MAX_INSTANCE_BYTES/],
    ];
    for (const [path, headers, message] of cases) {
      const client = await connect();
      client.socket.write(requestHead('POST', path, { ...authorized(), ...headers }));
      client.socket.write(body); // a complete instance: it must not be stored either
      const [answer, ms] = await elapsed(() => client.answer());
      assertError(answer, 413, 'payload-too-large', message);
      assert.ok(ms < IDLE_MS, `${path}: answered after ${ms} ms`);
      assert.equal(answer.headers.connection, 'close');
      assert.ok(await client.closedWithin(1000), `${path}: connection left open`);
    }
    const found = await http(`${server.httpUrl}/dicomweb/studies?StudyInstanceUID=${dicom.studyUid}`, { token });
    assert.deepEqual(found.json(), [], 'nothing of a refused request is stored');
  });

  it('answers a STOW-RS whose Content-Length overstates a complete body as soon as its closing boundary came', async () => {
    const dicom = buildInstance({ studyUid: newUid() });
    const { body, contentType } = multipartRelated([dicom.bytes]);
    const client = await connect();
    client.socket.write(requestHead('POST', '/dicomweb/studies', { ...authorized(), 'content-type': contentType, 'content-length': body.length + 1_000_000 }));
    client.socket.write(body);
    const [answer, ms] = await elapsed(() => client.answer());
    assert.equal(answer.status, 200, answer.body);
    assert.equal(answer.json()['00081199'].Value[0]['00081155'].Value[0], dicom.sopInstanceUid);
    assert.ok(ms < IDLE_MS, `answered after ${ms} ms`);
    client.socket.destroy();
    const found = await http(`${server.httpUrl}/dicomweb/studies?StudyInstanceUID=${dicom.studyUid}`, { token });
    assert.equal(found.json().length, 1);
  });

  it('decides authentication before reading a body: 401 at once, even for a body that never comes', async () => {
    const cases: Record<string, string | number>[] = [
      { 'content-type': 'application/json', 'content-length': 100_000 },
      { 'content-type': 'application/json', 'content-length': 100_000, authorization: 'Bearer not-a-jwt' },
      { 'content-type': 'application/dicom', 'content-length': 1e9 },
    ];
    for (const headers of cases) {
      const path = headers['content-type'] === 'application/json' ? '/api/peers' : '/dicomweb/studies';
      const client = await connect();
      client.socket.write(requestHead('POST', path, headers) + '{"aeTitle"');
      const [answer, ms] = await elapsed(() => client.answer());
      assertError(answer, 401, 'unauthenticated');
      assert.ok(ms < IDLE_MS, `${JSON.stringify(headers)}: answered after ${ms} ms`);
      client.socket.destroy();
    }
  });

  it('tells an anonymous client 401 for an invalid JSON body, and an authenticated one 400', async () => {
    const invalid = { method: 'POST', body: '{"aeTitle": ', headers: { 'content-type': 'application/json' } };
    const anonymous = await http(`${server.httpUrl}/api/peers`, invalid);
    assert.equal(anonymous.status, 401);
    const signedIn = await http(`${server.httpUrl}/api/peers`, { ...invalid, token });
    assert.equal(signedIn.status, 400);
    assert.deepEqual(Object.keys(signedIn.json()).sort(), ['correlationId', 'error', 'message']);
    const login = await http(`${server.httpUrl}/api/auth/token`, invalid);
    assert.equal(login.status, 400, 'the login route is public: its body is read without a token');
  });

  it('refuses JSON nested 100,000 levels deep with 400 before anything walks it', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const res = await http(`${server.httpUrl}/api/peers`, { method: 'POST', token, body: deep, headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.match(res.json().message, /nested more than 64 levels/);
    assert.equal((await http(`${server.httpUrl}/health`)).status, 200);
  });

  it('refuses a NUL or an unpaired surrogate anywhere in a REST body with 400 naming where, never 500', async () => {
    const bodies: [string, string, unknown, RegExp][] = [
      ['POST', '/api/peers', { aeTitle: 'NULPEER', host: '127.0.0.1\u0000', port: 104, services: ['store'] }, /^host holds a NUL/],
      ['POST', '/api/users', { username: 'nul', password: 'password-1', roles: ['radiologist'], note: ['x', '\ud800'] }, /^note\[1\] holds/],
      ['POST', '/api/worklist', { patient: { name: 'DOE^\u0000JOHN', id: 'P1' } }, /^patient\.name holds a NUL/],
    ];
    for (const [method, path, value, message] of bodies) {
      const res = await http(`${server.httpUrl}${path}`, { method, token, body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400, `${path}: ${res.body}`);
      assert.match(res.json().message, message, path);
    }
    assert.equal((await http(`${server.httpUrl}/api/peers/NULPEER`, { token })).status, 404, 'nothing was stored');
  });

  it('answers a request without Host, malformed HTTP and a malformed URL with a JSON 400', async () => {
    const requests = [
      requestHead('GET', '/health', { host: null }),
      'GARBAGE / NOT-HTTP\r\n\r\n',
      requestHead('GET', '/dicomweb/studies/1.2%zz3', authorized()),
    ];
    for (const request of requests) {
      const client = await connect();
      client.socket.write(request);
      assertError(await client.answer(), 400, 'bad-request');
      client.socket.destroy();
    }
  });

  it('answers 400, never 500, to a control character in a QIDO-RS value or a UID in the path', async () => {
    const uid = newUid();
    const paths: [string, RegExp][] = [
      ['/studies?PatientID=A%00B', /query parameter "PatientID" contains a control character \(U\+0000\)/],
      ['/studies?StudyDescription=%1Bx', /StudyDescription/],
      [`/studies/1.2%003`, /path parameter "study"/],
      [`/studies/${uid}/series/1.2%003`, /path parameter "series"/],
      [`/studies/${uid}/series/${uid}/instances/1%0A2/metadata`, /path parameter "instance" contains a control character \(U\+000A\)/],
    ];
    for (const [path, message] of paths) {
      const res = await http(`${server.httpUrl}/dicomweb${path}`, { token });
      assert.equal(res.status, 400, `${path}: ${res.body}`);
      assert.match(res.json().message, message, path);
    }
  });

  it('QIDO-RS answers 400 naming the parameter for an invalid date or time, and still takes ranges and wildcards (PS3.18 8.3.4)', async () => {
    for (const q of ['StudyDate=garbage', 'StudyDate=20200231', 'StudyDate=2020-', 'StudyTime=25', 'StudyDate=20200101-20201231-20211231']) {
      const res = await http(`${server.httpUrl}/dicomweb/studies?${q}`, { token });
      assert.equal(res.status, 400, q);
      assert.match(res.json().message, new RegExp(`^${q.split('=')[0]} must be`), q);
    }
    for (const q of ['StudyDate=20200101-', 'StudyDate=-20201231', 'StudyDate=20200101-20201231', 'StudyTime=0800-1200', 'StudyDate=2020*']) {
      assert.equal((await http(`${server.httpUrl}/dicomweb/studies?${q}`, { token })).status, 200, q);
    }
  });
});

describe('HTTP: connection caps', () => {
  const PER_ADDRESS = 20;
  const TOTAL = 30;
  let server: TestServer;
  let port: number;

  before(async () => {
    server = await startTestServer({
      env: { PACS_HTTP_MAX_CONNECTIONS_PER_ADDRESS: String(PER_ADDRESS), PACS_HTTP_MAX_CONNECTIONS: String(TOTAL) },
    });
    port = Number(new URL(server.httpUrl).port);
  });
  after(async () => {
    await server?.stop();
  });

  /** Opens `count` connections from `address` and sorts them into held and closed at once. */
  async function flood(address: string, count: number): Promise<{ held: RawHttpConnection[]; refused: number }> {
    const all = await Promise.all(Array.from({ length: count }, () => rawHttp(port, address)));
    const closed = await Promise.all(all.map((c) => c.closedWithin(500)));
    return { held: all.filter((_, i) => !closed[i]), refused: closed.filter(Boolean).length };
  }

  async function health(address: string): Promise<number> {
    const client = await rawHttp(port, address);
    client.socket.write(requestHead('GET', '/health', { connection: 'close' }));
    const answer = await client.answer();
    return answer.status;
  }

  async function release(connections: RawHttpConnection[]): Promise<void> {
    for (const c of connections) c.socket.destroy();
    await Promise.all(connections.map((c) => c.closed));
  }

  /** /health from `address`, tried again for a moment: the server counts closed connections until it has read their end. */
  async function servedSoon(address: string): Promise<number | string> {
    let outcome: number | string = 'never tried';
    for (const deadline = Date.now() + 2000; Date.now() < deadline && outcome !== 200; await sleep(50)) {
      outcome = await health(address).catch((err: Error) => err.message);
    }
    return outcome;
  }

  it('closes connections beyond the per-address cap at once and keeps serving another client during the flood', async () => {
    const { held, refused } = await flood('127.0.0.5', PER_ADDRESS + 30);
    try {
      assert.equal(held.length, PER_ADDRESS);
      assert.equal(refused, 30);
      assert.equal(await health('127.0.0.6'), 200, 'another client is served during the flood');
      const logged = /HTTP connection refused: 20 connections open from 127\.0\.0\.5 \(PACS_HTTP_MAX_CONNECTIONS_PER_ADDRESS\)/;
      assert.ok(await waitForLog(server, logged));
      assert.equal(server.logs().split('\n').filter((line) => logged.test(line)).length, 1, 'one warning for the burst, not one per connection');
    } finally {
      await release(held);
    }
    assert.equal(await servedSoon('127.0.0.5'), 200, 'served again once its connections are gone');
  });

  it('closes connections beyond the total cap at once, and serves again once they go', async () => {
    const first = await flood('127.0.0.7', PER_ADDRESS);
    const second = await flood('127.0.0.8', PER_ADDRESS);
    const held = [...first.held, ...second.held];
    try {
      assert.ok(held.length <= TOTAL && second.refused > 0, `${held.length} held, ${second.refused} refused`);
      const late = await rawHttp(port, '127.0.0.9');
      assert.ok(await late.closedWithin(500), 'a connection over the total cap is closed at once');
      assert.ok(await waitForLog(server, /HTTP connection refused: 30 connections open \(PACS_HTTP_MAX_CONNECTIONS\)/));
    } finally {
      await release(held);
    }
    assert.equal(await servedSoon('127.0.0.9'), 200);
  });
});
