import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { GroupCommit } from '@pacs/database';
import { DataSource } from 'typeorm';
import { CompanionCall, companionFunction } from './companion-call';
import { InstanceFacts } from './instance-facts';
import { queryPrepared } from './prepared-statements';

export interface BlobRecord {
  key: string;
  size: number;
  sha256: string;
}

export interface ExistingInstance {
  blobKey: string;
}

/**
 * What writing an instance's row did, decided under its row lock (BlobRemovals1765320000000):
 * a new row; an overwrite, with the key it superseded (already recorded for removal); or, for a
 * write that expected a new row, nothing because the instance was there.
 */
export type IndexOutcome = { inserted: true } | { replaced: string | null } | { exists: true };

/** All index writes of the ingest path. */
@Injectable()
export class IndexRepository {
  private readonly log = new Logger('Index');
  // One bad row fails the whole statement (as would a deadlock with another node's batch): the
  // rows are then written again one by one, so only the bad one fails.
  private readonly writes = new GroupCommit<IndexWrite, IndexOutcome>((batch) => this.writeMany(batch), MAX_INDEX_BATCH, {
    writeOne: (write) => this.writeOne(write),
    onError: (err, rows) => this.log.warn({ rows, err: (err as Error).message }, 'index batch failed: writing its rows one by one'),
  });

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findInstance(sopInstanceUid: string): Promise<ExistingInstance | undefined> {
    const rows = await queryPrepared(this.dataSource, 'SELECT blob_key FROM instances WHERE sop_instance_uid = $1', [sopInstanceUid]);
    return rows[0] ? { blobKey: rows[0].blob_key as string } : undefined;
  }

  /**
   * Records patient, study, series and instance with their counters (see the
   * pacs_index_instance migration) and, in the same statement, the companion call. Concurrent
   * calls are group-committed: one statement and one commit for a batch. With `expectNew` an
   * instance already indexed is left as it is (`{ exists: true }`).
   */
  async indexInstance(f: InstanceFacts, blob: BlobRecord, sourceAe: string | null, companion?: CompanionCall, expectNew = false): Promise<IndexOutcome> {
    return this.writes.add({ row: indexRow(f, blob, sourceAe, expectNew), companion });
  }

  private async writeOne({ row, companion }: IndexWrite): Promise<IndexOutcome> {
    const text = companion
      ? `SELECT pacs_index_instance($1::jsonb) AS outcome, ${companionFunction(companion)}($2::jsonb) AS companion`
      : 'SELECT pacs_index_instance($1::jsonb) AS outcome';
    const values = companion ? [JSON.stringify(row), JSON.stringify(companion.payload)] : [JSON.stringify(row)];
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
    const functions = [...new Set(batch.flatMap((w) => (w.companion ? [companionFunction(w.companion)] : [])))].sort();
    const companions = functions.map((fn, k) => `, (SELECT count(${fn}(value)) FROM jsonb_array_elements($${k + 2}::jsonb)) AS c${k}`);
    const values = [
      JSON.stringify(order.map((i) => batch[i].row)),
      ...functions.map((fn) => JSON.stringify(batch.flatMap((w) => (w.companion?.sqlFunction === fn ? [w.companion.payload] : [])))),
    ];
    const [result] = await queryPrepared(this.dataSource, `SELECT pacs_index_instances($1::jsonb) AS outcomes${companions.join('')}`, values);
    const outcomes = result.outcomes as IndexOutcome[];
    if (outcomes.length !== batch.length) throw new Error(`index batch returned ${outcomes.length} results for ${batch.length} rows`);
    const byCaller = new Array<IndexOutcome>(batch.length);
    order.forEach((i, k) => (byCaller[i] = outcomes[k]));
    return byCaller;
  }
}

/** Largest index batch: bounds one statement's JSON and how long its row locks are held. */
const MAX_INDEX_BATCH = 32;

interface IndexRow {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  [column: string]: unknown;
}

interface IndexWrite {
  row: IndexRow;
  companion?: CompanionCall;
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
