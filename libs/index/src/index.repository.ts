import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { GroupCommit } from '@pacs/database';
import { DataSource } from 'typeorm';
import { AttributeOverrides } from './attribute-overrides';
import { InstanceFacts } from './instance-facts';
import { CommitCompanions, CompanionPayloads } from './commit-companions';
import { overridesIn } from './overrides.repository';
import { queryPrepared, runPrepared, StatementClient } from './prepared-statements';

export interface BlobRecord {
  key: string;
  size: number;
  sha256: string;
}

export interface ExistingInstance {
  blobKey: string;
  sourceAe: string | null;
  /** Rejected by an IOCM Rejection Note (a `rejected_instances` row, no `instances` row). */
  rejected?: true;
}

/**
 * What writing an instance's row did, decided under its row lock (BlobRemovals1765320000000):
 * a new row; an overwrite, with the key it superseded (already recorded for removal); or, for a
 * write that expected a new row, nothing because the instance was there.
 */
export type IndexOutcome = ({ inserted: true } | { replaced: string | null } | { exists: true }) & {
  /** What a correction set on the instance's study or series (attribute_overrides), read after the row locked its study. */
  overrides?: AttributeOverrides;
};

/** All index writes of the ingest path. */
@Injectable()
export class IndexRepository {
  private readonly log = new Logger('Index');
  /** Duplicate lookups started by announce(), by SOP Instance UID. */
  private readonly lookups = new Map<string, Promise<ExistingInstance | undefined>>();
  // One bad row fails the whole statement (as would a deadlock with another node's batch): the
  // rows are then written again one by one, so only the bad one fails.
  private readonly writes = new GroupCommit<IndexWrite, IndexOutcome>((batch) => this.writeMany(batch), MAX_INDEX_BATCH, {
    writeOne: (write) => this.writeOne(write),
    onError: (err, rows) => this.log.warn({ rows, err: (err as Error).message }, 'index batch failed: writing its rows one by one'),
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly companions: CommitCompanions,
  ) {}

  /**
   * Says an instance is on its way (a C-STORE command has been read): its duplicate lookup
   * starts now, overlapping the transfer of the data set, and findInstance takes it.
   */
  announce(sopInstanceUid: string): void {
    if (this.lookups.has(sopInstanceUid)) return;
    if (this.lookups.size >= MAX_PENDING_LOOKUPS) this.lookups.delete(this.lookups.keys().next().value as string);
    const lookup = this.lookUp(sopInstanceUid);
    lookup.catch(() => undefined); // a failure surfaces when the lookup is taken
    this.lookups.set(sopInstanceUid, lookup);
  }

  /** The indexed instance with this SOP Instance UID (the lookup announce() started, if any). */
  findInstance(sopInstanceUid: string): Promise<ExistingInstance | undefined> {
    const announced = this.lookups.get(sopInstanceUid);
    this.lookups.delete(sopInstanceUid);
    return announced ?? this.lookUp(sopInstanceUid);
  }

  private async lookUp(sopInstanceUid: string): Promise<ExistingInstance | undefined> {
    // One round trip answers both: stored, or rejected (RejectionService).
    const rows = await queryPrepared(
      this.dataSource,
      `SELECT blob_key, source_ae, false AS rejected FROM instances WHERE sop_instance_uid = $1
       UNION ALL SELECT blob_key, NULL, true FROM rejected_instances WHERE sop_instance_uid = $1`,
      [sopInstanceUid],
    );
    if (!rows[0]) return undefined;
    const found = { blobKey: rows[0].blob_key as string, sourceAe: rows[0].source_ae as string | null };
    return rows[0].rejected ? { ...found, rejected: true } : found;
  }

  /**
   * Records patient, study, series and instance with their counters (pacs_index_instance) and
   * the companions' payloads (CommitCompanions) in one transaction. It stays open until
   * `durable` (the blob's flush) resolves and commits only then, so no reader and no other node
   * ever sees a row whose bytes a crash could lose; a crash before the commit rolls it back.
   * Concurrent calls are group-committed: one transaction for a batch. With `expectNew` an
   * instance already indexed is left as it is (`{ exists: true }`).
   */
  async indexInstance(write: InstanceWrite): Promise<IndexOutcome> {
    const { facts, blob, sourceAe, companionPayloads, expectNew = false, durable = Promise.resolve() } = write;
    return this.writes.add({ row: indexRow(facts, blob, sourceAe, expectNew), companionPayloads, durable });
  }

  /**
   * Indexes a rewrite of a stored instance (a correction, a coercion) in a transaction of its
   * own, only if the instance's row still points at `rewritten`, the blob it was made from:
   * checked under the row lock, so a version stored meanwhile is never replaced by older bytes
   * (then InstanceChangedError, and nothing is written). The instance row is locked before the
   * patient row here (ingest: patient first); only a store of the same instance at the same
   * moment can meet it the other way round, and PostgreSQL then fails one of the two.
   */
  async indexRewrite(write: InstanceWrite, rewritten: string): Promise<IndexOutcome> {
    const { facts, blob, sourceAe, durable = Promise.resolve() } = write;
    const row = indexRow(facts, blob, sourceAe, false);
    const { result: [result], overrides } = await this.commitWhenDurable([{ row, durable }], async (client) => {
      const [current] = await runPrepared(client, 'SELECT blob_key FROM instances WHERE sop_instance_uid = $1 FOR UPDATE', [facts.sopInstanceUid]);
      if (current?.blob_key !== rewritten) throw new InstanceChangedError(facts.sopInstanceUid);
      return runPrepared(client, 'SELECT pacs_index_instance($1::jsonb) AS outcome', [JSON.stringify(row)]);
    });
    return withOverrides(result.outcome as IndexOutcome, row, overrides);
  }

  /**
   * One row alone. A deadlock victim or a serialization failure is written again (PostgreSQL
   * asks clients to retry those, SQLSTATE class 40): a correction rewriting a study's instances
   * locks rows in another order than a store into that study.
   */
  private async writeOne(write: IndexWrite): Promise<IndexOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { result: [result], overrides } = await this.commitWhenDurable([write], (client) => runPrepared(client, 'SELECT pacs_index_instance($1::jsonb) AS outcome', [JSON.stringify(write.row)]));
        return withOverrides(result.outcome as IndexOutcome, write.row, overrides);
      } catch (err) {
        if (attempt >= MAX_TRANSIENT_ATTEMPTS || !isTransient(err)) throw err;
        this.log.warn({ sopInstanceUid: write.row.sopInstanceUid, attempt, err: (err as Error).message }, 'index write retried');
      }
    }
  }

  /**
   * The batch in one statement. Rows go in study, series, instance order, so that batches of
   * several writers lock shared study and series rows in one order; results come back in the
   * callers' order.
   */
  private async writeMany(batch: IndexWrite[]): Promise<IndexOutcome[]> {
    const order = batch.map((_, i) => i).sort((a, b) => compareRows(batch[a].row, batch[b].row));
    const rows = JSON.stringify(order.map((i) => batch[i].row));
    const { result: [result], overrides } = await this.commitWhenDurable(batch, (client) => runPrepared(client, 'SELECT pacs_index_instances($1::jsonb) AS outcomes', [rows]));
    const outcomes = result.outcomes as IndexOutcome[];
    if (outcomes.length !== batch.length) throw new Error(`index batch returned ${outcomes.length} results for ${batch.length} rows`);
    const byCaller = new Array<IndexOutcome>(batch.length);
    order.forEach((i, k) => (byCaller[i] = withOverrides(outcomes[k], batch[i].row, overrides)));
    return byCaller;
  }

  /**
   * Runs `statement` and the companions' writes in a transaction that commits once every blob
   * of the batch is flushed: an instance's pending state is this open transaction. A flush that
   * fails rolls the transaction back and fails it; the group commit then writes the batch's
   * rows one by one, so only the instance whose blob failed is refused. The overrides of the
   * batch's studies and series are read after the statement locked their study rows, so a
   * correction either committed them before (and they are read here) or waits for this commit
   * (and finds these rows): libs/index README, "Corrections".
   */
  private async commitWhenDurable<R>(batch: IndexWrite[], statement: (client: StatementClient) => Promise<R>): Promise<{ result: R; overrides: Map<string, AttributeOverrides> }> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as StatementClient;
      await runner.startTransaction();
      try {
        const result = await statement(client);
        const payloads = batch.flatMap((w) => (w.companionPayloads === undefined ? [] : [w.companionPayloads]));
        if (payloads.length > 0) await this.companions.write({ query: (text, values) => runPrepared(client, text, values) }, payloads);
        const overrides = await overridesIn(client, [...new Set(batch.flatMap((w) => [w.row.studyUid, w.row.seriesUid]))]);
        await Promise.all(batch.map((w) => w.durable));
        await runner.commitTransaction();
        return { result, overrides };
      } catch (err) {
        await runner.rollbackTransaction().catch(() => undefined);
        throw err;
      }
    } finally {
      await runner.release();
    }
  }
}

/** Another version of an instance was stored while it was being rewritten. */
export class InstanceChangedError extends Error {
  constructor(sopInstanceUid: string) {
    super(`instance ${sopInstanceUid} changed while it was rewritten`);
  }
}

/** Announced instances that never arrive (aborted transfers) must not grow the map without end. */
const MAX_PENDING_LOOKUPS = 1024;

/** Largest index batch: bounds one statement's JSON and how long its row locks are held. */
const MAX_INDEX_BATCH = 32;
/** Attempts of one row's write when PostgreSQL reports a transient failure. */
const MAX_TRANSIENT_ATTEMPTS = 3;
/** deadlock_detected, serialization_failure (PostgreSQL Appendix A, class 40). */
const TRANSIENT_SQLSTATES = new Set(['40P01', '40001']);

function isTransient(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  return TRANSIENT_SQLSTATES.has(e.code ?? e.driverError?.code ?? '');
}

interface IndexRow {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  [column: string]: unknown;
}

/** One instance's index write: what to record, and the flush its commit waits for. */
export interface InstanceWrite {
  facts: InstanceFacts;
  blob: BlobRecord;
  sourceAe: string | null;
  /** The commit companions' payloads for this instance (CommitCompanions). */
  companionPayloads?: CompanionPayloads;
  expectNew?: boolean;
  /** Resolves when the blob is durable; the row commits only then. */
  durable?: Promise<void>;
}

interface IndexWrite {
  row: IndexRow;
  companionPayloads?: CompanionPayloads;
  durable: Promise<void>;
}

/** A written row's outcome with its study's overrides, then its series' (a moved series' values win). */
function withOverrides(outcome: IndexOutcome, row: IndexRow, overrides: Map<string, AttributeOverrides>): IndexOutcome {
  const study = overrides.get(row.studyUid);
  const series = overrides.get(row.seriesUid);
  if ('exists' in outcome || (!study && !series)) return outcome;
  return { ...outcome, overrides: { ...study, ...series } };
}

function compareRows(a: IndexRow, b: IndexRow): number {
  return compare(a.studyUid, b.studyUid) || compare(a.seriesUid, b.seriesUid) || compare(a.sopInstanceUid, b.sopInstanceUid);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The JSON argument of pacs_index_instance. */
function indexRow(f: InstanceFacts, blob: BlobRecord, sourceAe: string | null, expectNew: boolean): IndexRow {
  return {
    expectNew,
    patientId: f.patient.id,
    issuer: f.patient.issuer,
    patientName: f.patient.name,
    birthDate: f.patient.birthDate,
    sex: f.patient.sex,
    studyUid: f.studyUid,
    studyDate: f.study.date,
    studyTime: f.study.time,
    accessionNumber: f.study.accessionNumber,
    studyId: f.study.studyId,
    studyDescription: f.study.description,
    referringPhysician: f.study.referringPhysician,
    studyAttributes: f.study.attributes,
    seriesUid: f.seriesUid,
    modality: f.series.modality,
    seriesNumber: f.series.number,
    seriesDescription: f.series.description,
    bodyPart: f.series.bodyPart,
    seriesAttributes: f.series.attributes,
    sopInstanceUid: f.sopInstanceUid,
    sopClassUid: f.sopClassUid,
    instanceNumber: f.instanceNumber,
    transferSyntaxUid: f.transferSyntaxUid,
    blobKey: blob.key,
    sizeBytes: blob.size,
    sha256: blob.sha256,
    sourceAe,
    attributes: f.attributes,
  };
}
