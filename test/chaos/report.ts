// A chaos run's figures, and what in them breaks a promise.
import { ChaosReport } from './chaos-run';

export function formatReport(r: ChaosReport): string {
  return [
    `instances: ${r.instances}, kills: ${r.kills}, ${r.seconds} s`,
    `ingest: ${r.ingest.acknowledged} acknowledged, ${r.ingest.interruptedRuns} storescu runs cut short, refused: ${JSON.stringify(r.ingest.refused)}`,
    `overwrites: ${r.overwrites.acknowledged} acknowledged, ${r.overwrites.interruptedRuns} runs cut short, refused: ${JSON.stringify(r.overwrites.refused)}`,
    `lost: ${r.lost.length}, different: ${r.different.length}, QIDO count mismatches: ${r.countMismatches.length}`,
    `audit chain: ${JSON.stringify(r.audit)}`,
    `blob files: ${r.blobFiles} for ${r.instances} instances; temporary files left: ${r.tempFiles}`,
    `pacs storage verify (exit ${r.storageVerify.code}):`,
    ...r.storageVerify.output.trim().split('\n').map((l) => `  ${l}`),
    '',
  ].join('\n');
}

/** Every broken promise, in words; empty when the run passed. */
export function chaosVerdict(r: ChaosReport): string[] {
  const problems: string[] = [];
  if (r.lost.length) problems.push(`acknowledged instances lost: ${r.lost.slice(0, 5).join(', ')}`);
  if (r.different.length) problems.push(`instances returned with other bytes: ${r.different.slice(0, 5).join(', ')}`);
  if (r.countMismatches.length) problems.push(`QIDO counts differ: ${r.countMismatches.slice(0, 5).join(', ')}`);
  if (!r.audit.intact) problems.push(`audit chain broken at ${r.audit.brokenAt}`);
  if (r.blobFiles !== r.instances) problems.push(`${r.blobFiles} blob files for ${r.instances} instances`);
  if (r.tempFiles !== 0) problems.push(`${r.tempFiles} temporary files left`);
  if (r.storageVerify.code !== 0) problems.push(`pacs storage verify exited ${r.storageVerify.code}`);
  return problems;
}
