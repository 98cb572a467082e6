import { Injectable, Logger } from '@nestjs/common';
import { DeletionService, IngestOutcome, RetrieveService, StoredInstance } from '@pacs/index';
import { CopyIngest } from './copy-ingest';
import { DeidService } from './deid.service';
import { DeidProfile } from './instance-deidentifier';

export interface DeidentifiedStudy {
  /** The original study. */
  sourceStudyUid: string;
  /** The de-identified copy, stored beside it (its UID derives from the original's under the secret). */
  studyUid: string;
  instances: number;
}

/**
 * Stores a de-identified copy of a study beside the original, one instance at a time through
 * the ingest path (its blob read, de-identified in memory, written as a new instance). A study
 * the index shows with burned-in annotation is refused first; if one instance still cannot be
 * de-identified, the copies already made are deleted: the result is the whole study or nothing.
 */
@Injectable()
export class StudyDeidentifier {
  private readonly log = new Logger('Deidentify');

  constructor(
    private readonly deid: DeidService,
    private readonly retrieve: RetrieveService,
    private readonly copies: CopyIngest,
    private readonly deletion: DeletionService,
  ) {}

  async deidentifyStudy(studyUid: string, profile: DeidProfile, actor: { username?: string; ip?: string }): Promise<DeidentifiedStudy> {
    const newStudyUid = this.deid.keys().uid(studyUid);
    const instances = await this.retrieve.findInstances({ studyUid });
    await this.deid.preflight([studyUid], profile);
    const stored: IngestOutcome[] = [];
    let buffer = Buffer.alloc(0);
    try {
      for (const instance of instances) {
        if (buffer.length <= instance.sizeBytes) buffer = Buffer.allocUnsafe(instance.sizeBytes + 1);
        stored.push(await this.copy(instance, buffer, profile, actor));
      }
    } catch (err) {
      await this.undo(stored);
      throw err;
    }
    this.log.log({ studyUid, newStudyUid, instances: stored.length, options: profile.options }, 'study de-identified');
    return { sourceStudyUid: studyUid, studyUid: newStudyUid, instances: stored.length };
  }

  private async copy(instance: StoredInstance, buffer: Buffer, profile: DeidProfile, actor: { username?: string; ip?: string }): Promise<IngestOutcome> {
    const copy = this.deid.deidentify(await this.retrieve.load(instance, buffer), profile);
    return this.copies.store(copy.bytes, { channel: 'deidentify', actor: actor.username, remoteAddress: actor.ip });
  }

  private async undo(stored: IngestOutcome[]): Promise<void> {
    for (const { studyUid, seriesUid, sopInstanceUid } of stored) {
      await this.deletion.delete({ studyUid, seriesUid, sopInstanceUid }).catch((err: Error) => {
        this.log.error({ sopInstanceUid, err: err.message }, 'a partial de-identified copy could not be deleted');
      });
    }
  }
}
