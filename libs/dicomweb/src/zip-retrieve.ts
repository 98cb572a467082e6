import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { DeidProfile, DeidService } from '@pacs/deid';
import { MediaInstance, RetrieveService } from '@pacs/index';
import { mediaZip } from '@pacs/media';
import { parseAccept } from './media-type';

export const APPLICATION_ZIP = 'application/zip';

/** Whether the client's best media range is application/zip (PS3.18 8.7.3.5: bulk retrieve as a ZIP). */
export function wantsZip(accept: string | undefined): boolean {
  return parseAccept(accept)[0]?.type === APPLICATION_ZIP;
}

/** De-identification of an export: the profile, and the service that applies it under the secret. */
export interface ZipDeidentification {
  deid: DeidService;
  profile: DeidProfile;
}

/**
 * A study or series as a ZIP of its Part 10 files with a DICOMDIR (@pacs/media), streamed one
 * instance at a time with its exact Content-Length, named after patient, date and accession.
 * De-identified, each file is made as it is read and the DICOMDIR holds the copies' values; the
 * length is then unknown in advance (chunked); an instance that still cannot be de-identified
 * (the caller checked burned-in annotation first) cuts the download.
 */
export async function sendZip(
  retrieve: RetrieveService,
  scope: { studyUids: string[]; seriesUid?: string },
  res: FastifyReply,
  deidentify?: ZipDeidentification,
): Promise<void> {
  const stored = await retrieve.findMediaInstances(scope.studyUids, scope.seriesUid);
  const instances = deidentify ? stored.map((i) => deidentify.deid.deidentifyMediaInstance(i, deidentify.profile)) : stored;
  const zip = deidentify
    ? await mediaZip(instances, (instance) => deidentifiedFile(retrieve, instance, deidentify), { storedBytes: false })
    : await mediaZip(instances, (instance) => retrieve.open(instance));
  const { patient, study, studyUid } = instances[0];
  const parts =
    scope.studyUids.length > 1
      ? [`${scope.studyUids.length}-studies`, new Date().toISOString().slice(0, 10)]
      : [patient.id, study.date, study.accessionNumber || studyUid, scope.seriesUid ? `series-${scope.seriesUid}` : ''];
  const name = parts.filter(Boolean).join('_').replace(/[^A-Za-z0-9._-]+/g, '-');
  res.status(200).header('content-type', APPLICATION_ZIP).header('content-disposition', `attachment; filename="${name}.zip"`);
  if (zip.size !== undefined) res.header('content-length', String(zip.size));
  await res.send(zip.stream);
}

/** One instance's de-identified Part 10 bytes, made when the ZIP reaches it (one in memory at a time). */
function deidentifiedFile(retrieve: RetrieveService, instance: MediaInstance, { deid, profile }: ZipDeidentification): Readable {
  return Readable.from(
    (async function* () {
      const part10 = await retrieve.load(instance, Buffer.allocUnsafe(instance.sizeBytes + 1));
      yield deid.deidentify(part10, profile).bytes;
    })(),
  );
}
