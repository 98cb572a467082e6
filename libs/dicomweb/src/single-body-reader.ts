import { Readable } from 'node:stream';
import { DomainError } from '@pacs/errors';
import { FlowGate } from './flow-gate';
import type { PartReaderOptions } from './multipart-reader';
import { PartSink } from './part-sink';

/**
 * Streams a bare application/dicom body (one instance) into a temporary blob and hands it to
 * `onPart` once complete, with the same size cut-off and backpressure as a multipart part.
 */
export function readSingleBody(body: Readable, options: PartReaderOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const sink = new PartSink(0, options.createTemp, options.maxPartBytes, new FlowGate(body));
    body.on('data', (chunk: Buffer) => sink.write(chunk));
    let ended = false;
    const fail = (message: string) => {
      void sink.abort();
      reject(new DomainError('bad-request', message));
    };
    body.once('error', (err) => fail(`request body failed: ${err.message}`));
    body.once('close', () => ended || fail('the request was aborted before its end'));
    body.once('end', () => {
      ended = true;
      sink
        .end()
        .then((part) => options.onPart(part))
        .then(() => resolve(1), reject);
    });
  });
}
