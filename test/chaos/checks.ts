// What must hold after a chaos run, checked as users see it: every acknowledged instance comes
// back byte for byte over WADO-RS, QIDO counts exactly what was sent, the audit chain verifies.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { datasetOf } from '../support/raw-pdu';
import { ChaosInstance, CHAOS_PATIENT_PREFIX } from './corpus';

export interface InstanceCheck {
  /** Acknowledged instances WADO-RS does not return. */
  lost: string[];
  /** Returned with other bytes than were sent. */
  different: string[];
}

async function get(url: string, token: string, accept: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept } });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

/** Each instance retrieved as stored (transfer-syntax=*), its data set compared with what was sent. */
export async function checkInstances(httpUrl: string, token: string, instances: ChaosInstance[], parallel = 8): Promise<InstanceCheck> {
  const result: InstanceCheck = { lost: [], different: [] };
  let next = 0;
  const worker = async () => {
    while (next < instances.length) {
      const inst = instances[next++];
      const url = `${httpUrl}/dicomweb/studies/${inst.studyUid}/series/${inst.seriesUid}/instances/${inst.sopInstanceUid}`;
      const res = await get(url, token, 'application/dicom; transfer-syntax=*');
      if (res.status !== 200) result.lost.push(`${inst.sopInstanceUid} (HTTP ${res.status})`);
      else if (createHash('sha256').update(datasetOf(res.body)).digest('hex') !== inst.datasetSha256) result.different.push(inst.sopInstanceUid);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return result;
}

/** Studies whose QIDO NumberOfStudyRelatedInstances differs from what was sent, as "uid: got/expected". */
export async function checkCounts(httpUrl: string, token: string, instances: ChaosInstance[]): Promise<string[]> {
  const expected = new Map<string, number>();
  for (const inst of instances) expected.set(inst.studyUid, (expected.get(inst.studyUid) ?? 0) + 1);
  const got = new Map<string, number>();
  for (let offset = 0; ; offset += 100) {
    const url = `${httpUrl}/dicomweb/studies?PatientID=${CHAOS_PATIENT_PREFIX}*&includefield=00201208&limit=100&offset=${offset}`;
    const res = await get(url, token, 'application/dicom+json');
    const page = res.status === 204 ? [] : (JSON.parse(res.body.toString()) as Record<string, { Value?: unknown[] }>[]);
    for (const study of page) got.set(String(study['0020000D']?.Value?.[0]), Number(study['00201208']?.Value?.[0]));
    if (page.length < 100) break;
  }
  const wrong: string[] = [];
  for (const [uid, n] of expected) if (got.get(uid) !== n) wrong.push(`${uid}: ${got.get(uid) ?? 'absent'}/${n}`);
  for (const uid of got.keys()) if (!expected.has(uid)) wrong.push(`${uid}: not sent`);
  return wrong;
}

/** GET /api/audit/verify once the sealer has linked every staged event (up to 30 s). */
export async function auditChain(httpUrl: string, token: string): Promise<{ intact: boolean; unsealed?: number; brokenAt?: number }> {
  let verdict: { intact: boolean; unsealed?: number; brokenAt?: number } = { intact: false };
  for (let i = 0; i < 30; i++) {
    const res = await get(`${httpUrl}/api/audit/verify`, token, 'application/json');
    verdict = JSON.parse(res.body.toString());
    if (!verdict.intact || !verdict.unsealed) return verdict;
    await sleep(1_000);
  }
  return verdict;
}
