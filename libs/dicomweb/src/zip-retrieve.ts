import type { FastifyReply } from 'fastify';
import { RetrieveService } from '@pacs/index';
import { mediaZip } from '@pacs/media';
import { parseAccept } from './media-type';

export const APPLICATION_ZIP = 'application/zip';

/** Whether the client's best media range is application/zip (PS3.18 8.7.3.5: bulk retrieve as a ZIP). */
export function wantsZip(accept: string | undefined): boolean {
  return parseAccept(accept)[0]?.type === APPLICATION_ZIP;
}

/**
 * A study or series as a ZIP of its Part 10 files with a DICOMDIR (@pacs/media), streamed one
 * instance at a time with its exact Content-Length, named after patient, date and accession.
 */
export async function sendZip(retrieve: RetrieveService, scope: { studyUids: string[]; seriesUid?: string }, res: FastifyReply): Promise<void> {
  const instances = await retrieve.findMediaInstances(scope.studyUids, scope.seriesUid);
  const zip = await mediaZip(instances, (instance) => retrieve.open(instance));
  const { patient, study, studyUid } = instances[0];
  const parts =
    scope.studyUids.length > 1
      ? [`${scope.studyUids.length}-studies`, new Date().toISOString().slice(0, 10)]
      : [patient.id, study.date, study.accessionNumber || studyUid, scope.seriesUid ? `series-${scope.seriesUid}` : ''];
  const name = parts.filter(Boolean).join('_').replace(/[^A-Za-z0-9._-]+/g, '-');
  await res
    .status(200)
    .header('content-type', APPLICATION_ZIP)
    .header('content-length', String(zip.size))
    .header('content-disposition', `attachment; filename="${name}.zip"`)
    .send(zip.stream);
}
