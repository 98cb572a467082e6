import type { TempBlob, TempBlobWriter } from '@pacs/storage';
import { FlowGate } from './flow-gate';

/** Why a received part never reached ingest. */
export type PartProblem = 'too-large' | 'unsupported-part-type' | 'storage-failure';

/** One received part: a finished temporary blob, or the problem that stopped it. */
export interface ReceivedPart {
  /** 0-based position in the request. */
  index: number;
  blob?: TempBlob;
  problem?: PartProblem;
}

/**
 * Streams one part (or one whole application/dicom body) into its own temporary blob.
 * Holds the flow gate while the writer's buffer is full; cuts the part off (and discards what
 * was written) once it exceeds `maxBytes`.
 */
export class PartSink {
  private readonly writer?: TempBlobWriter;
  private size = 0;
  private problem?: PartProblem;
  private discarding?: Promise<void>;
  private releaseGate?: () => void;

  constructor(
    readonly index: number,
    createTemp: () => TempBlobWriter,
    private readonly maxBytes: number,
    private readonly gate: FlowGate,
    problem?: PartProblem,
  ) {
    this.problem = problem;
    if (problem) return;
    this.writer = createTemp();
    // Errors surface through finish(); this listener only keeps them from crashing the process.
    this.writer.on('error', () => this.stop('storage-failure'));
    this.writer.on('close', () => this.releaseGate?.());
  }

  write(chunk: Uint8Array): void {
    if (this.problem || !this.writer) return;
    this.size += chunk.length;
    if (this.size > this.maxBytes) return this.stop('too-large');
    if (!this.writer.write(chunk) && !this.releaseGate) this.waitForDrain(this.writer);
  }

  /** Ends the part: resolves with the finished blob, or with the problem (nothing left on disk). */
  async end(): Promise<ReceivedPart> {
    if (this.problem || !this.writer) {
      await this.discarding;
      return { index: this.index, problem: this.problem };
    }
    try {
      return { index: this.index, blob: await this.writer.finish() };
    } catch {
      this.stop('storage-failure');
      await this.discarding;
      return { index: this.index, problem: 'storage-failure' };
    }
  }

  /** Drops the part (broken request): removes whatever was written. */
  async abort(): Promise<void> {
    this.stop('storage-failure');
    await this.discarding;
  }

  private waitForDrain(writer: TempBlobWriter): void {
    const release = this.gate.hold();
    this.releaseGate = () => {
      this.releaseGate = undefined;
      writer.off('drain', onDrain);
      release();
    };
    const onDrain = () => this.releaseGate?.();
    writer.once('drain', onDrain);
  }

  private stop(problem: PartProblem): void {
    this.problem ??= problem;
    if (this.writer && !this.discarding) {
      this.discarding = this.writer.discard().catch(() => undefined);
      this.releaseGate?.();
    }
  }
}
