import type { requests } from 'dcmjs-dimse';
import type { StoredInstance } from '@pacs/index';
import { DimseStatus } from '@pacs/errors';
import { ReadAhead, ReadInstance } from './read-ahead';
import { StoreChannel, storeRequestFor } from './store-channel';

/** Sub-operation counts of C-MOVE / C-GET responses (PS3.7 9.3.3.2, 9.3.4.2). */
export interface SubOperationCounts {
  remaining: number;
  completed: number;
  failed: number;
  warning: number;
}

export interface RetrieveOutcome {
  counts: SubOperationCounts;
  /** Final status per PS3.4 C.4.2.1.5 / C.4.3.1.4. */
  status: number;
  failedSopInstanceUids: string[];
}

export interface RetrieveRun {
  instances: StoredInstance[];
  /**
   * The associations to send over, each as it opens: C-GET has its own association, a C-MOVE
   * may open several to its destination. A channel that fails to open takes no instance; one
   * still opening when every instance is answered is not waited for.
   */
  channels: Promise<StoreChannel>[];
  /** Reads the instance's stored bytes into `target` (large enough); resolves with them. */
  load(instance: StoredInstance, target: Buffer): Promise<Buffer>;
  signal: AbortSignal;
  /** After each sub-operation while more remain, with the counts of a Pending response (PS3.4 C.4.2.1.5). */
  onProgress(counts: SubOperationCounts): void;
  /** Adds command elements to each C-STORE (C-MOVE: Move Originator, PS3.7 9.1.1.1). */
  decorate?(request: requests.CStoreRequest): void;
}

/**
 * Sends every instance, each channel taking the next one as soon as it is free, while the next
 * few are read from storage (ReadAhead), and counts: a C-STORE status of 0x0000 completes, 0xB...
 * is a warning, anything else fails. Stops at a cancel (final status 0xFE00). A channel whose
 * association ends fails the instance it was sending and takes no more; what no channel could
 * send counts as failed.
 */
export function runRetrieve(run: RetrieveRun): Promise<RetrieveOutcome> {
  return new Retrieve(run).outcome();
}

class Retrieve {
  private readonly counts: SubOperationCounts;
  private readonly failedSopInstanceUids: string[] = [];
  private readonly ahead: ReadAhead;
  private taken = 0;
  private sending = 0;

  constructor(private readonly run: RetrieveRun) {
    this.counts = { remaining: run.instances.length, completed: 0, failed: 0, warning: 0 };
    this.ahead = new ReadAhead(run.instances, (instance, target) => run.load(instance, target));
  }

  async outcome(): Promise<RetrieveOutcome> {
    let allAnswered: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (allAnswered = resolve));
    const senders = this.run.channels.map(async (opening) => {
      const channel = await opening.catch(() => undefined);
      if (channel) await this.sendOver(channel);
      if (this.finished()) allAnswered();
    });
    await Promise.race([answered, Promise.all(senders)]);
    return this.result();
  }

  /** Nothing left to send (all taken, or cancelled) and nothing in flight. */
  private finished(): boolean {
    return this.sending === 0 && (this.taken === this.run.instances.length || this.run.signal.aborted);
  }

  private async sendOver(channel: StoreChannel): Promise<void> {
    while (this.taken < this.run.instances.length && !this.run.signal.aborted) {
      const instance = this.run.instances[this.taken++];
      this.sending++;
      const read = await this.ahead.next()!;
      let status: number;
      try {
        status = await sendOne(this.run, channel, instance, read.bytes);
      } catch {
        // This channel's association ended: the instance failed, and the channel takes no more.
        this.count(instance, DimseStatus.ProcessingFailure);
        this.sending--;
        return;
      }
      this.answered(read, instance, status);
    }
  }

  private answered(read: ReadInstance, instance: StoredInstance, status: number): void {
    // Answered: the peer has every byte, so the buffer is free (not so when the association ended).
    read.release();
    this.sending--;
    this.count(instance, status);
    if (this.counts.remaining > 0 && !this.run.signal.aborted) this.run.onProgress({ ...this.counts });
  }

  private count(instance: StoredInstance, status: number): void {
    this.counts.remaining--;
    if (status === DimseStatus.Success) this.counts.completed++;
    else if ((status & 0xf000) === 0xb000) this.counts.warning++;
    else {
      this.counts.failed++;
      this.failedSopInstanceUids.push(instance.sopInstanceUid);
    }
  }

  private result(): RetrieveOutcome {
    const { counts, failedSopInstanceUids } = this;
    if (this.run.signal.aborted && this.taken < this.run.instances.length) {
      return { counts, status: DimseStatus.Cancel, failedSopInstanceUids };
    }
    // No channel left to send the rest over.
    for (const instance of this.run.instances.slice(this.taken)) this.count(instance, DimseStatus.ProcessingFailure);
    this.taken = this.run.instances.length;
    const status = counts.failed > 0 || counts.warning > 0 ? DimseStatus.SubOperationsCompleteWithFailures : DimseStatus.Success;
    return { counts, status, failedSopInstanceUids };
  }
}

/** One C-STORE sub-operation; a failure to read or encode the instance is a failed sub-operation (0x0110). */
async function sendOne(run: RetrieveRun, channel: StoreChannel, instance: StoredInstance, bytes: Buffer | Error): Promise<number> {
  let request: requests.CStoreRequest | undefined;
  try {
    if (bytes instanceof Error) throw bytes;
    request = await storeRequestFor(instance, bytes, channel.acceptedSyntaxes(instance.sopClassUid));
  } catch {
    return DimseStatus.ProcessingFailure;
  }
  // PS3.4 C.4.2.3.1: no presentation context for the class: the sub-operation fails.
  if (!request) return DimseStatus.SopClassNotSupported;
  run.decorate?.(request);
  return channel.store(request);
}
