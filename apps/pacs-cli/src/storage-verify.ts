import { StorageReport } from '@pacs/index';

/** The report of `pacs storage verify` as printed, and its exit status (0: nothing wrong is left). */
export function formatStorageReport(report: StorageReport, graceMinutes: number): { text: string; exitCode: number } {
  const lines = [`blobs: ${report.blobs}`, `instances: ${report.instances}`];
  const fixed = report.fixed;
  lines.push(`orphans: ${report.orphans.length}${fixed ? ` (removed ${fixed.orphansRemoved})` : ''}`);
  for (const key of report.orphans) lines.push(`  ${key}`);
  lines.push(`missing: ${report.missing.length}`);
  for (const m of report.missing) lines.push(`  ${m.key} (SOP Instance ${m.sopInstanceUid})`);
  lines.push(`not judged: ${report.recent} younger than ${graceMinutes} min, ${report.inFlight} being stored`);
  lines.push(`removals pending: ${report.pendingRemovals}`);
  if (fixed) {
    const t = fixed.temp;
    lines.push(`fixed: removed ${fixed.orphansRemoved} orphans, ${fixed.pendingRemoved} blobs recorded for removal, ` +
      `${t.tempFiles} temporary files and ${t.blobsRemoved} unindexed blobs of stopped processes`);
  }
  const orphansLeft = fixed ? report.orphans.length - fixed.orphansRemoved : report.orphans.length;
  return { text: `${lines.join('\n')}\n`, exitCode: orphansLeft > 0 || report.missing.length > 0 ? 1 : 0 };
}
