import type { requests } from 'dcmjs-dimse';
import type { StoredInstance } from '@pacs/index';
import { DimseStatus } from './dimse-status';
import { ReadAhead } from './read-ahead';
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
  channel: StoreChannel;
  /** Reads the instance's stored bytes into `target` (large enough); resolves with them. */
  load(instance: StoredInstance, target: Buffer): Promise<Buffer>;
  signal: AbortSignal;
  /** After each sub-operation while more remain, with the counts of a Pending response (PS3.4 C.4.2.1.5). */
  onProgress(counts: SubOperationCounts): void;
  /** Adds command elements to each C-STORE (C-MOVE: Move Originator, PS3.7 9.1.1.1). */
  decorate?(request: requests.CStoreRequest): void;
}

/**
 * Sends every instance, one at a time, while the next few are read from storage (ReadAhead), and
 * counts: a C-STORE status of 0x0000 completes, 0xB... is a warning, anything else fails. Stops
 * at a cancel (final status 0xFE00) or when the association ends (the rest count as failed).
 */
export async function runRetrieve(run: RetrieveRun): Promise<RetrieveOutcome> {
  const counts: SubOperationCounts = { remaining: run.instances.length, completed: 0, failed: 0, warning: 0 };
  const failedSopInstanceUids: string[] = [];
  const ahead = new ReadAhead(run.instances, (instance, target) => run.load(instance, target));
  for (const instance of run.instances) {
    if (run.signal.aborted) {
      return { counts, status: DimseStatus.Cancel, failedSopInstanceUids };
    }
    const read = await ahead.next()!;
    let status: number;
    try {
      status = await sendOne(run, instance, read.bytes);
    } catch {
      // The association ended: nothing more can be sent.
      counts.failed += counts.remaining;
      failedSopInstanceUids.push(...run.instances.slice(run.instances.indexOf(instance)).map((i) => i.sopInstanceUid));
      counts.remaining = 0;
      break;
    }
    // Answered: the peer has every byte, so the buffer is free (not so when the association ended).
    read.release();
    counts.remaining--;
    if (status === DimseStatus.Success) counts.completed++;
    else if ((status & 0xf000) === 0xb000) counts.warning++;
    else {
      counts.failed++;
      failedSopInstanceUids.push(instance.sopInstanceUid);
    }
    if (counts.remaining > 0) run.onProgress({ ...counts });
  }
  const status = counts.failed > 0 || counts.warning > 0 ? DimseStatus.SubOperationsCompleteWithFailures : DimseStatus.Success;
  return { counts, status, failedSopInstanceUids };
}

/** One C-STORE sub-operation; a failure to read or encode the instance is a failed sub-operation (0x0110). */
async function sendOne(run: RetrieveRun, instance: StoredInstance, bytes: Buffer | Error): Promise<number> {
  let request: requests.CStoreRequest | undefined;
  try {
    if (bytes instanceof Error) throw bytes;
    request = await storeRequestFor(instance, bytes, run.channel.acceptedSyntaxes(instance.sopClassUid));
  } catch {
    return DimseStatus.ProcessingFailure;
  }
  // PS3.4 C.4.2.3.1: no presentation context for the class: the sub-operation fails.
  if (!request) return DimseStatus.SopClassNotSupported;
  run.decorate?.(request);
  return run.channel.store(request);
}
