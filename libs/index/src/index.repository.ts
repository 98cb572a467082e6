import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { GroupCommit } from '@pacs/database';
import { DataSource } from 'typeorm';
import { InstanceFacts } from './instance-facts';
import { StagedAuditEvent } from './ingest.types';
import { queryPrepared } from './prepared-statements';
import { stageEventSql, stageEventsSql } from './staged-event';

export interface BlobRecord {
  key: string;
  size: number;
  sha256: string;
}

export interface ExistingInstance {
  blobKey: string;
}

/**
 * What writing an instance's row did, decided under its row lock (pacs_index_instance.sql): a
 * new row; an overwrite, with the key it superseded (already recorded for removal); or, for a
 * write that expected a new row, nothing because the instance was there.
 */
export type IndexOutcome = { inserted: true } | { replaced: string | null } | { exists: true };

export interface IndexWriteOptions {
  /** The audit event to commit with the row. */
  event?: StagedAuditEvent;
  /** Write the row only if the instance is new: an instance already indexed is left as it is. */
  expectNew?: boolean;
}

/**
 * All index writes of the ingest path, and its duplicate lookups. Concurrent writes are
 * group-committed: one statement and one commit for a batch.
 */
@Injectable()
export class IndexRepository {
  private readonly log = new Logger('Index');
  // One bad row fails the whole statement (as would a deadlock with another node's batch): the
  // rows are then written again one by one, so only the bad one fails.
  private readonly writes = new GroupCommit<IndexWrite, IndexOutcome>((batch) => this.writeMany(batch), MAX_INDEX_BATCH, {
    writeOne: (write) => this.writeOne(write),
    onError: (err, rows) => this.log.warn({ rows, err: (err as Error).message }, 'index batch failed: writing its rows one by one'),
  });
  /** Duplicate lookups started by announce(), by SOP Instance UID. */
  private readonly lookups = new Map<string, Promise<ExistingInstance | undefined>>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Says an instance is on its way (a C-STORE command has been read): its duplicate lookup
   * starts now and overlaps the transfer of the data set.
   */
  announce(sopInstanceUid: string): void {
    if (this.lookups.has(sopInstanceUid)) return;
    if (this.lookups.size >= MAX_PENDING_LOOKUPS) this.lookups.delete(this.lookups.keys().next().value as string);
    this.lookups.set(sopInstanceUid, this.startLookup(sopInstanceUid));
  }

  /** The instance as indexed (stored or pending), through the lookup announce() started if any. */
  findInstance(sopInstanceUid: string): Promise<ExistingInstance | undefined> {
    const lookup = this.lookups.get(sopInstanceUid) ?? this.startLookup(sopInstanceUid);
    this.lookups.delete(sopInstanceUid);
    return lookup;
  }

  /** Forgets an announced lookup whose instance turned out to be another one. */
  forget(sopInstanceUid: string): void {
    this.lookups.delete(sopInstanceUid);
  }

  /**
   * Records patient, study, series and instance with their counters (pacs_index_instance.sql)
   * and, in the same statement, the audit event. With `expectNew` an instance already indexed
   * is left as it is (`{ exists: true }`).
   */
  indexInstance(f: InstanceFacts, blob: BlobRecord, sourceAe: string | null, options: IndexWriteOptions = {}): Promise<IndexOutcome> {
    return this.writes.add({ row: indexRow(f, blob, sourceAe, options.expectNew === true), event: options.event });
  }

  private startLookup(sopInstanceUid: string): Promise<ExistingInstance | undefined> {
    const lookup = queryPrepared(this.dataSource, 'SELECT blob_key FROM instances WHERE sop_instance_uid = $1', [sopInstanceUid]).then((rows) =>
      rows[0] ? { blobKey: rows[0].blob_key as string } : undefined,
    );
    lookup.catch(() => undefined); // a failure surfaces when the lookup is awaited
    return lookup;
  }

  private async writeOne({ row, event }: IndexWrite): Promise<IndexOutcome> {
    const text = event
      ? `SELECT pacs_index_instance($1::jsonb) AS outcome, ${stageEventSql(2)} AS event`
      : 'SELECT pacs_index_instance($1::jsonb) AS outcome';
    const values = event ? [JSON.stringify(row), JSON.stringify(event)] : [JSON.stringify(row)];
    const [result] = await queryPrepared(this.dataSource, text, values);
    return result.outcome as IndexOutcome;
  }

  /**
   * The batch in one statement. Rows go in study, series, instance order, so that batches of
   * several writers lock shared study and series rows in one order; results come back in the
   * callers' order.
   */
  private async writeMany(batch: IndexWrite[]): Promise<IndexOutcome[]> {
    const order = batch.map((_, i) => i).sort((a, b) => compareRows(batch[a].row, batch[b].row));
    const events = batch.flatMap((w) => (w.event ? [w.event] : []));
    const values = [JSON.stringify(order.map((i) => batch[i].row)), ...(events.length ? [JSON.stringify(events)] : [])];
    const staged = events.length ? `, ${stageEventsSql(2)} AS events` : '';
    const [result] = await queryPrepared(this.dataSource, `SELECT pacs_index_instances($1::jsonb) AS outcomes${staged}`, values);
    const outcomes = result.outcomes as IndexOutcome[];
    if (outcomes.length !== batch.length) throw new Error(`index batch returned ${outcomes.length} results for ${batch.length} rows`);
    const byCaller = new Array<IndexOutcome>(batch.length);
    order.forEach((i, k) => (byCaller[i] = outcomes[k]));
    return byCaller;
  }
}

/** Largest index batch: bounds one statement's JSON and how long its row locks are held. */
const MAX_INDEX_BATCH = 32;
/** Announced instances that never arrive (aborted transfers) must not grow the map without end. */
const MAX_PENDING_LOOKUPS = 1024;

interface IndexRow {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  [column: string]: unknown;
}

/** One item of the group commit: a row to write, with its audit event. */
interface IndexWrite {
  row: IndexRow;
  event?: StagedAuditEvent;
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
