// Modalities that keep sending through crashes: each association is a storescu run over a
// batch of files; a file counts as acknowledged only when its C-STORE response said Success
// (0x0000). Whatever a kill cut short is sent again once the server is back.
import { runDcmtk } from '../support/dcmtk';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StoreTally {
  /** C-STORE responses with Success. */
  acknowledged: number;
  /** Responses other than Success, by status text (e.g. "Refused: OutOfResources"). */
  refused: Record<string, number>;
  /** storescu runs that ended early (connection refused, reset or aborted by a kill). */
  interruptedRuns: number;
}

const BATCH = 100;

/**
 * The files storescu -v reports as answered with Success, in order. It prints "Sending file: X"
 * before each C-STORE and "Received Store Response (<status>)" after it.
 */
export function acknowledgedFiles(output: string, refused: Record<string, number>): string[] {
  const acked: string[] = [];
  let current: string | undefined;
  for (const line of output.split('\n')) {
    const sending = /^I: Sending file: (.+)$/.exec(line);
    if (sending) current = sending[1].trim();
    const response = /^I: Received Store Response \((.+)\)$/.exec(line);
    if (response && current !== undefined) {
      if (response[1] === 'Success') acked.push(current);
      else refused[response[1]] = (refused[response[1]] ?? 0) + 1;
      current = undefined;
    }
  }
  return acked;
}

/**
 * One association's worth of sending: `queue` is sent in batches until every entry was
 * acknowledged once (an entry may appear several times: each needs its own Success).
 */
async function worker(port: number, queue: string[], tally: StoreTally, callingAe: string, giveUp: () => boolean): Promise<void> {
  while (queue.length > 0 && !giveUp()) {
    const batch = queue.slice(0, BATCH);
    const result = await runDcmtk('storescu', ['-v', '-aet', callingAe, '-aec', 'PACS', '127.0.0.1', String(port), ...batch], { timeoutMs: 300_000 });
    const acked = acknowledgedFiles(`${result.stdout}\n${result.stderr}`, tally.refused);
    for (const file of acked) queue.splice(queue.indexOf(file), 1);
    tally.acknowledged += acked.length;
    if (result.code !== 0 || acked.length < batch.length) {
      tally.interruptedRuns++;
      await sleep(200); // the server may be down: try again shortly
    }
  }
}

/** Sends every queue over its own association, in parallel, until all are acknowledged (or `giveUp`). */
export async function sendAll(port: number, queues: string[][], tally: StoreTally, giveUp: () => boolean, callingAe = 'TESTSCU'): Promise<void> {
  await Promise.all(queues.map((queue) => worker(port, [...queue], tally, callingAe, giveUp)));
}

export function newTally(): StoreTally {
  return { acknowledged: 0, refused: {}, interruptedRuns: 0 };
}
