import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { multipartContentType, multipartLength, newBoundary, writeMultipart } from './multipart-writer';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('multipart/related response writer (PS3.18 8.7.3)', () => {
  it('writes each part with its headers, streamed in order, and the closing delimiter', async () => {
    const out = new PassThrough();
    const received = collect(out);
    const a = Buffer.alloc(200_000, 1);
    const b = Buffer.from('second');
    const opened: string[] = [];
    await writeMultipart(out, 'B', [
      { contentType: 'application/dicom', open: () => (opened.push('a'), Readable.from([a.subarray(0, 1000), a.subarray(1000)])) },
      { contentType: 'application/dicom; transfer-syntax=1.2.840.10008.1.2.1', open: () => (opened.push('b'), Readable.from([b])) },
    ]);
    const expected = Buffer.concat([
      Buffer.from('--B\r\nContent-Type: application/dicom\r\n\r\n'),
      a,
      Buffer.from('\r\n--B\r\nContent-Type: application/dicom; transfer-syntax=1.2.840.10008.1.2.1\r\n\r\n'),
      b,
      Buffer.from('\r\n--B--\r\n'),
    ]);
    assert.ok((await received).equals(expected));
    assert.deepEqual(opened, ['a', 'b']);
  });

  it('opens a part only when the previous one is sent', async () => {
    const out = new PassThrough();
    const received = collect(out);
    let open = 0;
    let maxOpen = 0;
    const part = () => ({
      contentType: 'application/dicom',
      open: () => {
        maxOpen = Math.max(maxOpen, ++open);
        const r = Readable.from([Buffer.alloc(50_000)]);
        r.on('close', () => open--);
        return r;
      },
    });
    await writeMultipart(out, 'B', [part(), part(), part()]);
    await received;
    assert.equal(maxOpen, 1);
  });

  it('destroys the response when a source fails mid-way', async () => {
    const out = new PassThrough();
    const errors: Error[] = [];
    out.on('error', (err) => errors.push(err)); // the HTTP layer listens in production
    out.resume();
    const failing = new Readable({ read() { this.destroy(new Error('disk gone')); } });
    await assert.rejects(writeMultipart(out, 'B', [{ contentType: 'application/dicom', open: () => failing }]), /disk gone/);
    assert.ok(out.destroyed);
    await new Promise((r) => setImmediate(r));
    assert.equal(errors[0]?.message, 'disk gone');
  });

  it('builds the response Content-Type with a fresh boundary', () => {
    const boundary = newBoundary();
    assert.ok(boundary.length <= 70);
    assert.notEqual(boundary, newBoundary());
    assert.equal(multipartContentType('application/dicom', 'B'), 'multipart/related; type="application/dicom"; boundary=B');
  });

  it('knows the body length beforehand when every part has a size, and not otherwise', async () => {
    const boundary = newBoundary();
    const bodies = [Buffer.alloc(70_000, 7), Buffer.from('ü-part')];
    const parts = bodies.map((body, i) => ({ contentType: `application/dicom; transfer-syntax=1.2.840.10008.1.2.${i}`, size: body.length, open: () => Readable.from([body]) }));
    const out = new PassThrough();
    const received = collect(out);
    await writeMultipart(out, boundary, parts);
    assert.equal(multipartLength(boundary, parts), (await received).length);
    assert.equal(multipartLength(boundary, []), Buffer.byteLength(`--${boundary}--\r\n`));
    assert.equal(multipartLength(boundary, [parts[0], { contentType: 'application/dicom', open: () => Readable.from([]) }]), undefined);
  });
});
