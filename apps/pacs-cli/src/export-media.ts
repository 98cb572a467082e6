import { SingleBar } from 'cli-progress';
import { AuditAction, AuditService } from '@pacs/audit';
import { MediaInstance, RetrieveService } from '@pacs/index';
import { writeMediaFolder } from '@pacs/media';

/**
 * `pacs export`: the studies as DICOM media in `folder` (a DICOMDIR and the stored files it
 * references), then one Export event per patient (PS3.15 A.5.3.4: data leaving the archive on
 * media), naming its studies.
 */
export async function exportStudies(folder: string, studyUids: string[], retrieve: RetrieveService, audit: AuditService, progress: boolean): Promise<number> {
  const instances = await retrieve.findMediaInstances(studyUids);
  const bar = progress ? new SingleBar({ format: 'exporting [{bar}] {value}/{total} files', stream: process.stderr }) : undefined;
  bar?.start(instances.length, 0);
  let written: number;
  try {
    written = await writeMediaFolder(folder, instances, (i) => retrieve.open(i), () => bar?.increment());
  } finally {
    bar?.stop();
  }
  for (const [patientId, studies] of studiesByPatient(instances)) {
    await audit.record({
      actor: 'cli',
      actorType: 'system',
      action: AuditAction.Export,
      actionCode: 'R',
      outcome: 0,
      patientId,
      studyUids: [...studies],
      details: { destination: folder, media: 'DICOMDIR folder' },
    });
  }
  return written;
}

function studiesByPatient(instances: readonly MediaInstance[]): Map<string, Set<string>> {
  const byPatient = new Map<string, Set<string>>();
  for (const i of instances) {
    const studies = byPatient.get(i.patient.id) ?? new Set<string>();
    studies.add(i.studyUid);
    byPatient.set(i.patient.id, studies);
  }
  return byPatient;
}
