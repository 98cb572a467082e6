import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { DomainError } from '@pacs/errors';
import { FilesystemBlobStore } from '@pacs/storage';
import { readMultipartParts } from './multipart-reader';
import type { ReceivedPart } from './part-sink';
import { readSingleBody } from './single-body-reader';

const root = mkdtempSync(join(tmpdir(), 'dicomweb-mp-'));
const store = new FilesystemBlobStore(root);
after(() => rmSync(root, { recursive: true, force: true }));

const BOUNDARY = 'b0undary-42';
const CONTENT_TYPE = `multipart/related; type="application/dicom"; boundary=${BOUNDARY}`;

function part(bytes: Buffer, type = 'application/dicom'): Buffer {
  return Buffer.concat([Buffer.from(`--${BOUNDARY}\r\nContent-Type: ${type}\r\n\r\n`), bytes, Buffer.from('\r\n')]);
}
function body(...parts: Buffer[]): Buffer {
  return Buffer.concat([...parts, Buffer.from(`--${BOUNDARY}--\r\n`)]);
}
/** Feeds the body in small chunks, as a slow network would. */
function chunked(data: Buffer, size = 7): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  return Readable.from(chunks, { objectMode: false });
}
/** Bytes that contain CRLF and dashes, like a real dataset might. */
function payload(seed: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed) % 256;
  b.write('\r\n--b0undary', 100); // a near-miss of the delimiter inside the data
  return b;
}
function tmpFiles(): string[] {
  return readdirSync(join(root, 'tmp'));
}

async function readAll(data: Readable, maxPartBytes = 1 << 20, contentType = CONTENT_TYPE) {
  const parts: ReceivedPart[] = [];
  const contents: Buffer[] = [];
  const count = await readMultipartParts(data, contentType, {
    createTemp: () => store.createTemp(),
    maxPartBytes,
    onPart: async (p) => {
      parts.push(p);
      if (p.blob) {
        contents.push(readFileSync(p.blob.path));
        await store.discardTemp(p.blob);
      }
    },
  });
  return { count, parts, contents };
}

describe('STOW-RS multipart reader', () => {
  it('streams two parts fed in 7-byte chunks into two intact temp blobs, in order', async () => {
    const a = payload(1, 5000);
    const b = payload(2, 3333);
    const { count, parts, contents } = await readAll(chunked(body(part(a), part(b))));
    assert.equal(count, 2);
    assert.deepEqual(parts.map((p) => p.index), [0, 1]);
    assert.equal(parts[0].blob?.size, a.length);
    assert.ok(contents[0].equals(a));
    assert.ok(contents[1].equals(b));
    assert.deepEqual(tmpFiles(), []);
  });

  it('fails a part whose Content-Type is not application/dicom and keeps the others', async () => {
    const { parts, contents } = await readAll(chunked(body(part(Buffer.from('{}'), 'application/json'), part(payload(3, 900)))));
    assert.equal(parts[0].problem, 'unsupported-part-type');
    assert.equal(parts[1].problem, undefined);
    assert.equal(contents.length, 1);
  });

  it('cuts off a part over the size limit and leaves nothing on disk for it', async () => {
    const { parts } = await readAll(chunked(body(part(payload(4, 4000)), part(payload(5, 100))), 512), 1000);
    assert.equal(parts[0].problem, 'too-large');
    assert.equal(parts[0].blob, undefined);
    assert.equal(parts[1].blob?.size, 100);
    assert.deepEqual(tmpFiles(), []);
  });

  it('rejects a body whose boundary never appears with 400 and stores nothing', async () => {
    const wrong = Buffer.from(`--other\r\nContent-Type: application/dicom\r\n\r\nxxxx\r\n--other--\r\n`);
    const received: ReceivedPart[] = [];
    const run = readMultipartParts(chunked(wrong), CONTENT_TYPE, {
      createTemp: () => store.createTemp(),
      maxPartBytes: 1 << 20,
      onPart: async (p) => void received.push(p),
    });
    await assert.rejects(run, (err: unknown) => err instanceof DomainError && err.code === 'bad-request');
    assert.equal(received.length, 0);
    assert.deepEqual(tmpFiles(), []);
  });

  it('rejects a body without its closing boundary: complete parts are handed over, the open one discarded', async () => {
    const truncated = Buffer.concat([part(payload(6, 700)), part(payload(7, 800)).subarray(0, 400)]);
    const received: ReceivedPart[] = [];
    const run = readMultipartParts(chunked(truncated, 64), CONTENT_TYPE, {
      createTemp: () => store.createTemp(),
      maxPartBytes: 1 << 20,
      onPart: async (p) => {
        received.push(p);
        if (p.blob) await store.discardTemp(p.blob);
      },
    });
    await assert.rejects(run, /closing boundary/);
    assert.equal(received.length, 1);
    assert.deepEqual(tmpFiles(), []);
  });

  it('answers once the closing boundary came, even if the body then never ends (a lying Content-Length)', async () => {
    const a = payload(10, 1500);
    const neverEnding = new Readable({ read: () => undefined });
    neverEnding.push(Buffer.concat([body(part(a)), Buffer.from('an epilogue to ignore')]));
    const { count, contents } = await readAll(neverEnding);
    assert.equal(count, 1);
    assert.ok(contents[0].equals(a));
    neverEnding.destroy();
  });

  it('refuses a body longer than maxBodyBytes as payload-too-large, keeping what was complete before', async () => {
    const received: ReceivedPart[] = [];
    const run = readMultipartParts(chunked(body(part(payload(11, 300)), part(payload(12, 4000))), 256), CONTENT_TYPE, {
      createTemp: () => store.createTemp(),
      maxPartBytes: 1 << 20,
      maxBodyBytes: 2000,
      onPart: async (p) => {
        received.push(p);
        if (p.blob) await store.discardTemp(p.blob);
      },
    });
    await assert.rejects(run, (err: unknown) => err instanceof DomainError && err.code === 'payload-too-large' && /PACS_HTTP_STOW_BODY_LIMIT/.test(err.message));
    assert.equal(received.length, 1);
    assert.deepEqual(tmpFiles(), []);
  });

  it('rejects a Content-Type without a boundary', async () => {
    const run = readMultipartParts(chunked(Buffer.from('x')), 'multipart/related; type="application/dicom"', {
      createTemp: () => store.createTemp(),
      maxPartBytes: 10,
      onPart: async () => undefined,
    });
    await assert.rejects(run, /boundary/);
  });

  it('pauses the request while the temp writer is full and still delivers every byte', async () => {
    const big = payload(8, 3 * 1024 * 1024 + 17);
    const source = chunked(body(part(big)), 64 * 1024);
    let paused = 0;
    source.on('pause', () => paused++);
    const { contents } = await readAll(source, 8 << 20);
    assert.ok(paused > 0, 'the request stream was never paused');
    assert.ok(contents[0].equals(big));
  });

  it('streams a bare application/dicom body as one part', async () => {
    const bytes = payload(9, 2048);
    const parts: ReceivedPart[] = [];
    await readSingleBody(chunked(bytes, 100), {
      createTemp: () => store.createTemp(),
      maxPartBytes: 1 << 20,
      onPart: async (p) => {
        parts.push(p);
        assert.ok(readFileSync(p.blob!.path).equals(bytes));
        await store.discardTemp(p.blob!);
      },
    });
    assert.equal(parts.length, 1);
  });
});
