// Generated HTTP inputs: QIDO parameters, WADO paths and Accept headers, STOW bodies (mutated
// instances and broken multipart), REST JSON bodies, tokens, and requests no client library
// would send (raw socket). A case passes when the server answers within the deadline with a
// status below 500.
import { connect } from 'node:net';
import { multipartRelated } from '../support/http';
import { datasetOf } from '../support/raw-pdu';
import { ANSWER_MS, CaseOutcome, FuzzTarget, seededInstance, seededUid } from './dimse-cases';
import { mutateDataset } from './dataset-mutations';
import { mutateBytes, Prng } from './prng';

const NASTY = ['', '%00', 'A%00B', '*', '?', '%', '%ZZ', '..', '%2e%2e%2f', '\\', '"', "'", ';', '1997.04.24', 'garbage', '20200231', '20200101-', '-', '--', '-20201231', '2020-', '999999999999999999999', '-1', '1e10', 'true', 'null', '%E2%80%AE', '%F0%9F%A9%BB', '%C3%28', 'x'.repeat(5000), '1.2.3%00', 'DOE*^J?HN', '%0d%0aX-Injected:%201'];
const QIDO_KEYS = ['StudyDate', 'StudyTime', 'PatientName', 'PatientID', 'ModalitiesInStudy', 'StudyInstanceUID', 'SeriesInstanceUID', 'AccessionNumber', 'limit', 'offset', 'fuzzymatching', 'includefield', '00100010', '0020000D', '00080020', 'unknownkey', 'SeriesDate', '00100010.00100020', 'ReferencedStudySequence.ReferencedSOPInstanceUID'];
const ACCEPTS = ['*/*', 'application/dicom', 'application/dicom; transfer-syntax=*', 'multipart/related; type="application/dicom"', 'multipart/related; type="application/octet-stream"', 'multipart/related; type="image/jpeg"; transfer-syntax=1.2.840.10008.1.2.4.50', 'application/dicom+json', 'image/png', 'text/html', ';;;', 'multipart/related; type=', 'application/dicom; transfer-syntax=9.9.9'];

interface Request {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  /** STOW: the instance sent, found in the response when it was stored. */
  sopInstanceUid?: string;
}

function uidish(rng: Prng): string {
  return rng.chance(0.6) ? seededUid(rng) : rng.pick(NASTY);
}

function qido(rng: Prng): Request {
  const level = rng.pick(['studies', 'series', 'instances', `studies/${uidish(rng)}/series`, `studies/${uidish(rng)}/instances`, `studies/${uidish(rng)}/series/${uidish(rng)}/instances`]);
  const params = Array.from({ length: rng.int(1, 4) }, () => `${rng.pick(QIDO_KEYS)}=${rng.pick(NASTY)}`).join('&');
  return { method: 'GET', path: `/dicomweb/${level}?${params}`, headers: { accept: rng.pick(['application/dicom+json', '*/*', 'application/json', 'text/plain']) } };
}

function wado(rng: Prng): Request {
  const tail = rng.pick(['', '/metadata', '/rendered', '/thumbnail', `/frames/${rng.pick(['1', '0', '1,2', '-1', 'a', '99999', '1%00'])}`, `/bulkdata/${rng.pick(['7FE00010', 'zz', '00100010'])}`]);
  const depth = rng.int(1, 3);
  const path = ['/dicomweb/studies', uidish(rng), ...(depth > 1 ? ['series', uidish(rng)] : []), ...(depth > 2 ? ['instances', uidish(rng)] : [])].join('/');
  return { method: rng.pick(['GET', 'GET', 'GET', 'DELETE', 'HEAD']), path: `${path}${tail}`, headers: { accept: rng.pick(ACCEPTS) } };
}

function stow(rng: Prng): Request {
  const inst = seededInstance(rng, 'FUZZ-STOW');
  const meta = inst.bytes.subarray(0, inst.bytes.length - datasetOf(inst.bytes).length);
  const part = rng.chance(0.7) ? Buffer.concat([meta, mutateDataset(rng, datasetOf(inst.bytes)).bytes]) : mutateBytes(rng, inst.bytes);
  const { body, contentType } = multipartRelated([part]);
  const broken = rng.chance(0.3);
  return {
    method: 'POST',
    path: rng.chance(0.8) ? '/dicomweb/studies' : `/dicomweb/studies/${uidish(rng)}`,
    headers: { 'content-type': broken ? rng.pick([contentType.replace(/boundary=.*/, ''), 'multipart/related', 'application/dicom', contentType]) : contentType, accept: 'application/dicom+json' },
    body: broken ? mutateBytes(rng, body) : body,
    sopInstanceUid: inst.sopInstanceUid,
  };
}

function deepJson(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

function json(rng: Prng): Request {
  const target = rng.pick(['/api/auth/token', '/api/worklist', '/api/peers', '/api/users', '/api/users/fuzzuser', '/api/users/fuzzuser/password', `/api/worklist/${rng.int(1, 50)}`, '/api/peers/FUZZPEER']);
  const method = target.startsWith('/api/users/fuzzuser') && !target.endsWith('password') ? 'PATCH' : /\/\d+$|FUZZPEER$/.test(target) ? rng.pick(['PUT', 'PATCH', 'DELETE']) : 'POST';
  const value = rng.pick<() => unknown>([
    () => ({ username: rng.pick(['admin', 'ad\u0000min', '', 'x'.repeat(10_000)]), password: rng.pick(['', '\u0000', 'p'.repeat(100_000)]) }),
    () => ({ aeTitle: rng.pick(['FUZZPEER', 'BAD\u0000AE', '', 'X'.repeat(40)]), host: rng.pick(['127.0.0.1', '', '\u0000', '999.1.1.1']), port: rng.pick([0, -1, 70000, '104', null]), services: rng.pick([['store'], ['nope'], 'store', [], null]) }),
    () => ({ patient: { name: 'DOE^\u0000', id: 'x'.repeat(300) }, scheduledProcedureStep: { startDateTime: rng.pick(['garbage', '1997.04.24', '20201301']) } }),
    () => ({ __proto__: { admin: true }, constructor: { prototype: { polluted: 1 } } }),
    () => rng.pick([null, 0, 'string', [], true]),
  ])();
  const bodies = [() => JSON.stringify(value), () => deepJson(rng.pick([100, 10_000, 100_000])), () => mutateBytes(rng, Buffer.from(JSON.stringify(value))).toString('latin1'), () => '{"a":'];
  return { method, path: target, headers: { 'content-type': rng.pick(['application/json', 'application/json', 'text/plain', 'application/json; charset=latin1']) }, body: rng.pick(bodies)() };
}

/** The token the request carries: the admin's, or something that must be refused (401, never 5xx). */
function authorization(rng: Prng, token: string): string | undefined {
  return rng.pick([`Bearer ${token}`, `Bearer ${token}`, `Bearer ${token}`, undefined, 'Bearer', `Bearer ${token.slice(0, -3)}abc`, 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.', `Basic ${Buffer.from('admin:x').toString('base64')}`, `Bearer ${'x'.repeat(9000)}`]);
}

async function send(target: FuzzTarget, req: Request): Promise<{ status: number; body: string } | 'timeout'> {
  try {
    const res = await fetch(`${target.httpUrl}${req.path}`, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(ANSWER_MS) });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return 'timeout';
    throw err;
  }
}

/** Requests only a raw socket sends: no Host, broken request lines and chunking, NUL in headers. */
async function raw(rng: Prng, target: FuzzTarget): Promise<CaseOutcome> {
  const auth = `Authorization: Bearer ${target.token}\r\n`;
  const requests = [
    'GET /dicomweb/studies HTTP/1.1\r\n\r\n',
    `GET /dicomweb/studies HTTP/1.1\r\nHost: x\r\n${auth}X-Bad: a\0b\r\n\r\n`,
    `POST /api/worklist HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    `GET /dicomweb/studies?PatientID=%00 HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
    'GARBAGE\r\n\r\n',
    `POST /api/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n`,
    `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    `GET /dicomweb/studies HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    // bodies that stop arriving: answered at the idle deadline (FUZZ_SERVER_ENV makes it short)
    `POST /api/worklist HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"patient":`,
    `POST /dicomweb/studies HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: multipart/related; type="application/dicom"; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\n`,
    `POST /dicomweb/studies HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/dicom\r\nContent-Length: 9223372036854775807\r\n\r\nDICM`,
  ];
  const text = rng.pick(requests);
  const answer = await new Promise<string>((resolve) => {
    const socket = connect(Number(new URL(target.httpUrl).port), '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => (socket.destroy(), resolve(data || 'timeout')), ANSWER_MS);
    socket.on('data', (d) => {
      data += d.toString('latin1');
      if (data.includes('\r\n\r\n')) (clearTimeout(timer), socket.destroy(), resolve(data));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => (clearTimeout(timer), resolve(data || 'closed')));
    socket.write(Buffer.from(text, 'latin1'));
  });
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1]);
  const name = `raw HTTP: ${JSON.stringify(text.slice(0, 40))}`;
  if (answer === 'timeout') return { name, violation: 'no answer' };
  return { name, violation: status >= 500 ? `answered ${status}` : undefined };
}

/** One generated HTTP input, sent and judged. */
export async function httpCase(rng: Prng, target: FuzzTarget): Promise<CaseOutcome> {
  const kind = rng.int(0, 9);
  if (kind === 9) return raw(rng, target);
  const req = kind < 3 ? qido(rng) : kind < 5 ? wado(rng) : kind < 7 ? stow(rng) : json(rng);
  const auth = authorization(rng, target.token);
  if (auth) req.headers.authorization = auth;
  const name = `${req.method} ${req.path.slice(0, 80)}`;
  const answer = await send(target, req);
  if (answer === 'timeout') return { name, violation: 'no answer' };
  const violation = answer.status >= 500 ? `answered ${answer.status}: ${answer.body.slice(0, 200)}` : undefined;
  const sop = req.sopInstanceUid;
  const stored = sop && answer.status === 200 && answer.body.includes(sop) && !/00081198/.test(answer.body) ? [sop] : [];
  return { name, violation, stored };
}
