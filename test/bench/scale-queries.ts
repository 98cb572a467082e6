import { encodeElement } from '../support/raw-elements';
import { associate, CommandField, commandSet, nextCommand, pduHeader, pDataTf, RawPeer } from '../support/raw-pdu';
import { BENCH_AE } from './pacs-server';
import { ArchiveShape, patientOf, studyOf } from './scale-archive';
import { WebTarget } from './qr-http';

/**
 * The queries of the scale phase: what a viewer's study list and a modality's query ask of a
 * large archive, each with values that exist in it (scale-archive.ts), a different value per
 * repetition so no answer comes from a cache.
 */
export interface ScaleQuery {
  name: string;
  /** Matching keys (keyword → value) of repetition `i`. */
  keys(i: number): Record<string, string>;
}

/** A study of the archive for repetition i, spread over all of them. */
const pick = (shape: ArchiveShape, i: number) => studyOf((i * 104_729 + 17) % shape.studies, shape);

/** A week from the study's date, as a DICOM date range (PS3.4 C.2.2.2.5). */
function weekFrom(date: string): string {
  const start = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}T00:00:00Z`);
  const end = new Date(start.getTime() + 6 * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  return `${date}-${end}`;
}

export function scaleQueries(shape: ArchiveShape): ScaleQuery[] {
  return [
    { name: 'PatientName prefix', keys: (i) => ({ PatientName: `${patientOf((i * 7_919) % shape.patients).family.slice(0, 4)}*` }) },
    { name: 'PatientID', keys: (i) => ({ PatientID: pick(shape, i).patient.id }) },
    { name: 'AccessionNumber', keys: (i) => ({ AccessionNumber: pick(shape, i).accession }) },
    {
      name: 'StudyDate week + modality',
      keys: (i) => {
        const st = pick(shape, i);
        return { StudyDate: weekFrom(st.date), ModalitiesInStudy: st.modality };
      },
    },
  ];
}

export interface Latencies {
  /** Milliseconds per query, in the order run. */
  ms: number[];
  /** Matches of each query (studies returned). */
  matches: number[];
  errors: string[];
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** QIDO-RS study queries one after another (one viewer), `limit=50`, each body read to the end. */
export async function qidoLatencies(target: WebTarget, query: ScaleQuery, first: number, count: number): Promise<Latencies> {
  const out: Latencies = { ms: [], matches: [], errors: [] };
  for (let i = first; i < first + count; i++) {
    const params = new URLSearchParams({ ...query.keys(i), limit: '50' });
    const started = performance.now();
    const res = await fetch(`${target.base}/studies?${params}`, { headers: { ...target.headers, accept: 'application/dicom+json' }, signal: AbortSignal.timeout(60_000) });
    const body = await res.text();
    out.ms.push(performance.now() - started);
    if (res.status === 200) out.matches.push((JSON.parse(body) as unknown[]).length);
    else if (res.status === 204) out.matches.push(0);
    else if (out.errors.length < 5) out.errors.push(`${res.status} ${params}`);
  }
  return out;
}

const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const PENDING = new Set([0xff00, 0xff01]);

/** Study-level identifier keys: the matching keys of the query and the usual return keys. */
const IDENTIFIER: Array<[tag: string, vr: string, keyword: string]> = [
  ['00080020', 'DA', 'StudyDate'],
  ['00080050', 'SH', 'AccessionNumber'],
  ['00080052', 'CS', 'QueryRetrieveLevel'],
  ['00080061', 'CS', 'ModalitiesInStudy'],
  ['00081030', 'LO', 'StudyDescription'],
  ['00100010', 'PN', 'PatientName'],
  ['00100020', 'LO', 'PatientID'],
  ['0020000D', 'UI', 'StudyInstanceUID'],
  ['00201208', 'IS', 'NumberOfStudyRelatedInstances'],
];

function identifier(keys: Record<string, string>): Buffer {
  const values: Record<string, string> = { QueryRetrieveLevel: 'STUDY', ...keys };
  return Buffer.concat(
    IDENTIFIER.map(([tag, vr, keyword]) => {
      const value = values[keyword] ?? '';
      return encodeElement({ tag, vr, value: value.length % 2 ? `${value} ` : value }, false);
    }),
  );
}

/**
 * Study Root C-FIND queries one after another on one association (a modality or viewer keeps
 * it open), implicit VR little endian; each is timed from its request to its final response.
 */
export async function findLatencies(port: number, calledAe: string, query: ScaleQuery, first: number, count: number): Promise<Latencies> {
  const out: Latencies = { ms: [], matches: [], errors: [] };
  const { peer, results } = await associate(port, calledAe, [{ id: 1, abstractSyntax: STUDY_ROOT_FIND }], BENCH_AE);
  try {
    if (results.get(1) !== 0) throw new Error(`Study Root C-FIND not accepted (result ${results.get(1)})`);
    for (let i = first; i < first + count; i++) {
      const started = performance.now();
      const { matches, status } = await findOnce(peer, i & 0xffff, identifier(query.keys(i)));
      out.ms.push(performance.now() - started);
      out.matches.push(matches);
      if (status !== 0 && out.errors.length < 5) out.errors.push(`status 0x${status.toString(16)} for ${JSON.stringify(query.keys(i))}`);
    }
    await release(peer);
  } finally {
    peer.socket.destroy();
  }
  return out;
}

async function findOnce(peer: RawPeer, messageId: number, dataset: Buffer): Promise<{ matches: number; status: number }> {
  const command = commandSet({ 0x0002: STUDY_ROOT_FIND, 0x0100: CommandField.CFind, 0x0110: messageId, 0x0700: 0, 0x0800: 0 });
  peer.socket.write(Buffer.concat([pDataTf(command, true, true), pDataTf(dataset, false, true)]));
  for (let matches = 0; ; matches++) {
    const response = await nextCommand(peer, 60_000);
    if (!PENDING.has(response.status ?? -1)) return { matches, status: response.status ?? -1 };
  }
}

/** A-RELEASE-RQ (PS3.8 9.3.6), then the A-RELEASE-RP. */
async function release(peer: RawPeer): Promise<void> {
  peer.socket.write(Buffer.concat([pduHeader(0x05, 4), Buffer.alloc(4)]));
  const rp = await peer.nextPdu(10_000);
  if (rp.type !== 0x06) throw new Error(`expected A-RELEASE-RP, got PDU type 0x${rp.type.toString(16)}`);
}
