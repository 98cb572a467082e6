import * as MP from 'multipasta';
import { Readable } from 'node:stream';
import { DomainError } from '@pacs/errors';
import type { TempBlobWriter } from '@pacs/storage';
import { FlowGate } from './flow-gate';
import { PartSink, ReceivedPart } from './part-sink';

export interface PartReaderOptions {
  createTemp: () => TempBlobWriter;
  /** A part (or a single body) longer than this is cut off and fails as 'too-large'. */
  maxPartBytes: number;
  /** A multipart body longer than this fails the request as 'payload-too-large'. */
  maxBodyBytes?: number;
  /** Media type the parts must have (the request's `type` parameter, PS3.18 10.5.2). */
  partType?: string;
  /** Finished parts waiting for `onPart` beyond which the request is paused. */
  maxPendingParts?: number;
  /** Called once per part, strictly one after another, in request order. */
  onPart: (part: ReceivedPart) => Promise<void>;
}

const DEFAULT_MAX_PENDING_PARTS = 4;

/**
 * Streams a multipart/related body (RFC 2387, PS3.18 8.6.1.2) part by part into temporary
 * blobs and hands each finished part to `onPart` as soon as it is complete; never holds more
 * than the parser's small look-behind in memory. Resolves with the number of parts once the
 * closing boundary came and every `onPart` has settled: what follows the closing boundary is an
 * epilogue to ignore (RFC 2046 5.1.1), so the answer does not wait for the end of a body whose
 * declared length was a lie. Rejects with DomainError('bad-request') when the body is not valid
 * multipart (no boundary, bad part headers, no closing boundary), 'payload-too-large' past
 * `maxBodyBytes`: complete parts before the break have been handed over, the incomplete one is
 * discarded.
 */
export function readMultipartParts(body: Readable, contentType: string, options: PartReaderOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const gate = new FlowGate(body);
    const queue = new PartQueue(gate, options);
    const expected = options.partType ?? 'application/dicom';
    let current: PartSink | undefined;
    let count = 0;
    let settled = false;

    // The rest of the body is read and dropped, so that the client can read the answer.
    const stopReading = () => {
      settled = true;
      body.off('data', onData);
      body.resume();
    };
    const fail = (error: DomainError) => {
      if (settled) return;
      stopReading();
      const aborted = current?.abort();
      current = undefined;
      // Answer only once the incomplete part is gone: nothing of a refused request stays on disk.
      Promise.all([aborted, queue.settled()]).then(() => reject(error), reject);
    };
    const finish = () => {
      if (settled) return;
      stopReading();
      queue.settled().then(() => resolve(count), reject);
    };
    const onData = (chunk: Buffer) => parser.write(chunk);
    const parser: MP.Parser = MP.make({
      headers: { 'content-type': contentType },
      isFile: () => true,
      onField: () => undefined,
      onFile: (info) => {
        if (settled) return () => undefined;
        const sink = new PartSink(count++, options.createTemp, options.maxPartBytes, gate, partProblem(info, expected));
        current = sink;
        return (chunk) => {
          if (chunk !== null) return sink.write(chunk);
          if (current === sink) current = undefined;
          queue.push(sink);
        };
      },
      onError: (error) => fail(toError(error, options.maxBodyBytes)),
      onDone: finish,
      maxTotalSize: options.maxBodyBytes,
    });
    if (settled) return;
    body.on('data', onData);
    body.once('error', (err) => fail(new DomainError('bad-request', `request body failed: ${err.message}`)));
    body.once('close', () => fail(new DomainError('bad-request', 'the request was aborted before its end')));
    body.once('end', () => {
      parser.end();
      fail(new DomainError('bad-request', 'the multipart body ended before its closing boundary (check the boundary parameter)'));
    });
  });
}

/** Delivers finished parts to onPart one at a time; pauses the request when too many wait. */
class PartQueue {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private firstError?: unknown;

  constructor(
    private readonly gate: FlowGate,
    private readonly options: PartReaderOptions,
  ) {}

  push(sink: PartSink): void {
    const ended = sink.end(); // finish the blob now, deliver in order
    const release = ++this.pending > (this.options.maxPendingParts ?? DEFAULT_MAX_PENDING_PARTS) ? this.gate.hold() : undefined;
    this.chain = this.chain.then(async () => {
      try {
        await this.options.onPart(await ended);
      } catch (err) {
        this.firstError ??= err;
      } finally {
        this.pending--;
        release?.();
      }
    });
  }

  /** Resolves when every pushed part was delivered; rejects with the first onPart error. */
  async settled(): Promise<void> {
    await this.chain;
    if (this.firstError !== undefined) throw this.firstError;
  }
}

/** PS3.18 10.5.2: each part is one instance of the request's type; a missing part type means that type. */
function partProblem(info: MP.PartInfo, expected: string): 'unsupported-part-type' | undefined {
  if (info.headers['content-type'] === undefined) return undefined;
  return info.contentType === expected ? undefined : 'unsupported-part-type';
}

function toError(error: MP.MultipartError, maxBodyBytes?: number): DomainError {
  switch (error._tag) {
    case 'InvalidBoundary':
      return new DomainError('bad-request', 'the multipart/related Content-Type has no valid boundary parameter');
    case 'BadHeaders':
      return new DomainError('bad-request', 'a part of the multipart body has malformed headers');
    case 'InvalidDisposition':
      return new DomainError('bad-request', 'a part of the multipart body has a malformed Content-Disposition');
    case 'EndNotReached':
      return new DomainError('bad-request', 'the multipart body ended before its closing boundary (check the boundary parameter)');
    case 'ReachedLimit':
      return new DomainError('payload-too-large', `the multipart body is longer than ${maxBodyBytes} bytes (PACS_HTTP_STOW_BODY_LIMIT)`);
  }
}
