import { Injectable, Logger, Optional } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { PacsConfig } from '@pacs/config';
import { DicomParseError, ElementValue, readInstanceHeader } from '@pacs/dicom';
import { PacsMetrics } from '@pacs/metrics';
import { BlobStore, TempBlob } from '@pacs/storage';
import { AttributeOverrides, differsFrom, overrideElements } from './attribute-overrides';
import { BlobRemovals } from './blob-removals';
import { FreeSpaceGuard } from './free-space-guard';
import { IngestError } from './index.errors';
import { ExistingInstance, IndexOutcome, IndexRepository } from './index.repository';
import { InstanceFacts, instanceFacts } from './instance-facts';
import { CommitCompanions } from './commit-companions';
import { IngestOutcome, IngestSource, InstanceStoredListener } from './ingest.types';
import { OverridesRepository } from './overrides.repository';
import { RejectionService } from './rejection.service';
import { rewriteBlob } from './stored-rewrite';

/**
 * The one ingest path shared by C-STORE, STOW-RS and `pacs import` (ARCHITECTURE.md):
 * read the header → validate → duplicate policy → place and flush the blob while one
 * transaction records patient/study/series/instance. Resolves only when the blob is fsynced
 * and the index committed; on failure nothing remains (the temp blob is always consumed).
 */
@Injectable()
export class IngestService {
  private readonly log = new Logger('Ingest');
  private readonly storedListeners: InstanceStoredListener[] = [];
  private readonly space: FreeSpaceGuard;

  constructor(
    private readonly config: PacsConfig,
    private readonly blobs: BlobStore,
    private readonly index: IndexRepository,
    private readonly removals: BlobRemovals,
    private readonly rejections: RejectionService,
    private readonly overrides: OverridesRepository,
    private readonly companions: CommitCompanions,
    @Optional() private readonly metrics?: PacsMetrics,
  ) {
    this.space = new FreeSpaceGuard(blobs, config.ingest.minFreeBytes);
  }

  /**
   * Called after each instance is durable (blob fsynced, index committed), e.g. for study
   * completeness. A listener's failure is logged and never reaches the sender.
   */
  onInstanceStored(listener: InstanceStoredListener): void {
    this.storedListeners.push(listener);
  }

  async ingest(temp: TempBlob, source: IngestSource): Promise<IngestOutcome> {
    try {
      const outcome = await this.ingestInstance(temp, source);
      this.metrics?.instancesStored.inc({ channel: source.channel, result: outcome.result });
      return outcome;
    } catch (err) {
      this.metrics?.instancesRefused.inc({ channel: source.channel, reason: err instanceof IngestError ? err.code : 'internal' });
      throw err;
    }
  }

  /**
   * Rewrites the stored instance whose blob is `blobKey` with these values, through the ingest
   * path: a new blob under a new key, durable before the row switches to it; the old blob
   * removed after the commit (BlobRemovals).
   */
  async rewriteStored(blobKey: string, values: readonly ElementValue[], source: IngestSource): Promise<IngestOutcome> {
    return this.ingestInstance(await rewriteBlob(this.blobs, blobKey, values), { ...source, expectedStudyUid: undefined, replaces: blobKey });
  }

  private async ingestInstance(temp: TempBlob, source: IngestSource): Promise<IngestOutcome> {
    // The duplicate lookup overlaps the header read when the sender announced the instance (C-STORE).
    const announced = source.expectedSopInstanceUid;
    const lookup = announced ? this.index.findInstance(announced) : undefined;
    lookup?.catch(() => undefined); // awaited after the header is read
    let facts: InstanceFacts;
    try {
      facts = await this.validate(temp, source);
    } catch (err) {
      await this.blobs.discardTemp(temp);
      this.log.warn({ channel: source.channel, actor: source.actor, code: (err as IngestError).code, reason: (err as Error).message }, 'instance refused');
      throw err;
    }
    const existing = (facts.sopInstanceUid === announced ? lookup : undefined) ?? this.index.findInstance(facts.sopInstanceUid);
    const outcome = await this.store(temp, facts, source, existing);
    // A Rejection Note (IHE IOCM) takes effect before it is acknowledged; a resent note again.
    // Not a rewrite of a stored note (a correction): instances restored since stay restored.
    if (!source.replaces) await this.rejections.noteStored(facts.sopClassUid, facts.sopInstanceUid, facts.attributes, source);
    return outcome;
  }

  /** Says an instance is on its way (a C-STORE command has been read): IndexRepository.announce. */
  announce(sopInstanceUid: string): void {
    this.index.announce(sopInstanceUid);
  }

  private async validate(temp: TempBlob, source: IngestSource): Promise<InstanceFacts> {
    if (temp.size > this.config.ingest.maxInstanceBytes) {
      throw new IngestError('too-large', `instance of ${temp.size} bytes exceeds the limit of ${this.config.ingest.maxInstanceBytes}`);
    }
    const facts = await this.readFacts(temp, source);
    // After the header, so that a refusal can name the instance (STOW-RS Failed SOP Sequence).
    await this.space.check({ sopClassUid: facts.sopClassUid, sopInstanceUid: facts.sopInstanceUid });
    return facts;
  }

  private async readFacts(temp: TempBlob, source: IngestSource): Promise<InstanceFacts> {
    try {
      return instanceFacts(await readInstanceHeader(temp.path, temp.head && { size: temp.size, head: temp.head }), source);
    } catch (err) {
      if (err instanceof IngestError) throw err;
      if (err instanceof DicomParseError) throw new IngestError('unparsable', err.message);
      throw new IngestError('unparsable', `cannot read the dataset: ${(err as Error).message}`);
    }
  }

  private async store(
    temp: TempBlob,
    facts: InstanceFacts,
    source: IngestSource,
    lookup: Promise<ExistingInstance | undefined>,
  ): Promise<IngestOutcome> {
    const outcome = (result: IngestOutcome['result']): IngestOutcome => ({
      result,
      sopClassUid: facts.sopClassUid,
      sopInstanceUid: facts.sopInstanceUid,
      studyUid: facts.studyUid,
      seriesUid: facts.seriesUid,
      transferSyntaxUid: facts.transferSyntaxUid,
      patientId: facts.patient.id,
      modality: facts.series.modality,
      studyDescription: facts.study.description,
    });
    const existing = await lookup.catch((err) => this.fail(temp, err));
    if (existing?.rejected) {
      // IHE IOCM: a rejected instance sent again stays rejected until restored (as dcm4chee-arc).
      await this.blobs.discardTemp(temp);
      throw new IngestError('instance-rejected', `SOP Instance ${facts.sopInstanceUid} was rejected; restore it (DELETE /api/rejections/{uid}) to store it`, {
        sopClassUid: facts.sopClassUid,
        sopInstanceUid: facts.sopInstanceUid,
      });
    }
    if (source.replaces && existing?.blobKey !== source.replaces) {
      // A newer version arrived while this one was rewritten: never replace it with older bytes.
      await this.blobs.discardTemp(temp);
      throw new IngestError('storage-failure', `instance ${facts.sopInstanceUid} changed while it was rewritten`);
    }
    if (existing && this.config.ingest.duplicatePolicy !== 'overwrite' && !source.replaces) {
      await this.blobs.discardTemp(temp);
      return this.duplicate(facts, outcome);
    }
    // Every blob goes to a key never used before: the old bytes stay valid until the new row
    // commits, and a key that a commit stopped referencing is never referenced again.
    const key = blobKey(facts.sopInstanceUid, randomBytes(8).toString('hex'));
    const stored = outcome(existing ? 'overwritten' : 'stored');
    const payloads = source.replaces ? undefined : this.companions.payloads(stored, source);
    const sourceAe = source.replaces ? (existing?.sourceAe ?? null) : source.channel === 'dimse' ? (source.actor ?? null) : null;
    const blob = { key, size: temp.size, sha256: temp.sha256 };
    const { replaces } = source;
    const write = (expectNew: boolean, durable?: Promise<void>, companionPayloads?: unknown[]) =>
      replaces
        ? this.index.indexRewrite({ facts, blob, sourceAe, durable }, replaces)
        : this.index.indexInstance({ facts, blob, sourceAe, companionPayloads, expectNew, durable });
    let written = await this.storeAndIndex(temp, key, facts, (durable) => write(!existing, durable, payloads));
    if (payloads) {
      this.companions.committed(payloads);
      stored.coCommitted = this.companions.audited(payloads);
    }
    if ('exists' in written) {
      // Another store of this instance committed first. Ours is durable now, so it may replace
      // that one (its event already committed with the first write).
      if (this.config.ingest.duplicatePolicy !== 'overwrite') {
        await this.blobs.remove(key);
        return { ...(await this.duplicate(facts, outcome)), coCommitted: stored.coCommitted };
      }
      written = await this.indexOrUndo(key, facts, Promise.resolve(), () => write(false));
      stored.result = 'overwritten';
    }
    this.blobs.settle(key);
    if ('replaced' in written && written.replaced) await this.removals.removeCommitted([written.replaced]);
    this.log.debug({ channel: source.channel, actor: source.actor, sopInstanceUid: facts.sopInstanceUid, studyUid: facts.studyUid }, 'stored');
    if (written.overrides && !source.replaces && differsFrom(facts.attributes, written.overrides)) {
      return this.coerce(key, facts, source, written.overrides, stored);
    }
    this.notifyStored(facts);
    return stored;
  }

  /**
   * The instance was stored carrying values a correction has since changed on its study or
   * series (attribute_overrides): it is rewritten with the corrected values (PS3.4 B.2.3
   * coercion, Warning B000). Its first version is already durable, so a failure here loses
   * nothing; the next correction of the study rewrites it. The study and patient its old values
   * named are tidied (its first write may have recreated them).
   */
  private async coerce(key: string, facts: InstanceFacts, source: IngestSource, overrides: AttributeOverrides, stored: IngestOutcome): Promise<IngestOutcome> {
    try {
      const coerced = await this.rewriteStored(key, overrideElements(overrides), source);
      await this.overrides.tidy([facts.studyUid], [facts.patient]).catch((err: Error) => this.log.warn({ studyUid: facts.studyUid, err: err.message }, 'study not tidied after a coercion'));
      this.log.log({ channel: source.channel, actor: source.actor, sopInstanceUid: facts.sopInstanceUid, studyUid: coerced.studyUid }, 'coerced to corrected values');
      return { ...coerced, result: stored.result, coCommitted: stored.coCommitted, coerced: true };
    } catch (err) {
      this.log.warn({ sopInstanceUid: facts.sopInstanceUid, studyUid: facts.studyUid, err: (err as Error).message }, 'stored, but not coerced to corrected values');
      this.notifyStored(facts);
      return stored;
    }
  }

  /** PACS_DUPLICATE_POLICY keep or reject, for an instance already stored. */
  private async duplicate(facts: InstanceFacts, outcome: (result: IngestOutcome['result']) => IngestOutcome): Promise<IngestOutcome> {
    if (this.config.ingest.duplicatePolicy === 'keep') return outcome('kept-existing');
    throw new IngestError('duplicate-rejected', `SOP Instance ${facts.sopInstanceUid} is already stored`, {
      sopClassUid: facts.sopClassUid,
      sopInstanceUid: facts.sopInstanceUid,
    });
  }

  /**
   * Places the blob and makes it durable while its index row is written; the row commits only
   * once the blob is durable (IndexRepository), so placing, flushing and the index statement
   * overlap: one flush latency plus one commit, the largest part of an acknowledged C-STORE.
   * A new instance's row is written only if the instance is still new (`expectNew`).
   */
  private async storeAndIndex(temp: TempBlob, key: string, facts: InstanceFacts, write: (durable: Promise<void>) => Promise<IndexOutcome>): Promise<IndexOutcome> {
    const durable = this.blobs.place(temp, key).then(
      () => this.blobs.flush(temp, key),
      (err) => this.blobs.discardTemp(temp).then(() => Promise.reject(err)),
    );
    durable.catch(() => undefined); // awaited by the commit, and by indexOrUndo on failure
    return this.indexOrUndo(key, facts, durable, () => write(durable));
  }

  /** On failure nothing of the instance remains: its row rolled back, its blob removed once placing is over. */
  private async indexOrUndo(key: string, facts: InstanceFacts, durable: Promise<void>, write: () => Promise<IndexOutcome>): Promise<IndexOutcome> {
    try {
      return await write();
    } catch (err) {
      const storageFailed = await durable.then(() => false, () => true);
      await this.blobs.remove(key).catch(() => undefined);
      this.log.error({ sopInstanceUid: facts.sopInstanceUid, err: (err as Error).message }, storageFailed ? 'storage failure' : 'index write failed');
      throw new IngestError('storage-failure', storageFailed ? 'the instance could not be written to storage' : 'the index could not be updated');
    }
  }

  private notifyStored(facts: InstanceFacts): void {
    const event = { studyUid: facts.studyUid, seriesUid: facts.seriesUid, sopInstanceUid: facts.sopInstanceUid, sopClassUid: facts.sopClassUid };
    for (const listener of this.storedListeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ sopInstanceUid: facts.sopInstanceUid, err: (err as Error).message }, 'instance-stored listener failed');
      }
    }
  }

  private async fail(temp: TempBlob, err: unknown): Promise<never> {
    await this.blobs.discardTemp(temp).catch(() => undefined);
    this.log.error({ err: (err as Error).message }, 'storage failure');
    throw new IngestError('storage-failure', 'the instance could not be written to storage');
  }
}

/**
 * <ab>/<cd>/<sha256 of the SOP Instance UID>[.<version>].dcm (ARCHITECTURE.md, Data). A key is
 * only ever written to its own instance's row (BlobRemovals relies on it).
 */
export function blobKey(sopInstanceUid: string, version?: string): string {
  const h = createHash('sha256').update(sopInstanceUid).digest('hex');
  return `${h.slice(0, 2)}/${h.slice(2, 4)}/${h}${version ? `.${version}` : ''}.dcm`;
}
