// Worklist test helpers: MWL query files built with dump2dcm (so any character set's bytes can be
// written), `findscu -W -X` whose extracted responses are read back with dcmjs, and a REST body.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { data } from 'dcmjs';
import { runDcmtk, AeOptions, DcmtkResult } from './dcmtk';

export type Naturalized = Record<string, any>;

/**
 * Writes a query file from dump lines (`(0010,0010) PN [DOE*]`, sequences as
 * `(0040,0100) SQ` / `(fffe,e000) -` ... `(fffe,e00d) -` / `(fffe,e0dd) -`), encoded in `encoding`.
 */
export async function mwlQueryFile(lines: string[], encoding: BufferEncoding = 'utf8'): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'pacs-mwlq-'));
  const dump = join(dir, 'query.dump');
  const file = join(dir, 'query.dcm');
  writeFileSync(dump, Buffer.from(`${lines.join('\n')}\n`, encoding));
  const res = await runDcmtk('dump2dcm', [dump, file]);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  return file;
}

/** Runs `findscu -W` with the query file; returns the Pending identifiers in the order received. */
export async function findscuWorklist(port: number, queryFile: string, opts: AeOptions = {}): Promise<DcmtkResult & { matches: Naturalized[] }> {
  const cwd = mkdtempSync(join(tmpdir(), 'pacs-mwlr-'));
  const args = ['-v', '-W', '-X', '-aet', opts.callingAe ?? 'TESTSCU', '-aec', opts.calledAe ?? 'PACS', '127.0.0.1', String(port), queryFile];
  const res = await runDcmtk('findscu', args, { cwd });
  const files = readdirSync(cwd).filter((f) => /^rsp\d+\.dcm$/.test(f)).sort();
  const matches = files.map((f) => {
    const bytes = readFileSync(join(cwd, f));
    const message = data.DicomMessage.readFile(new Uint8Array(bytes).buffer);
    return data.DicomMetaDictionary.naturalizeDataset(message.dict) as Naturalized;
  });
  return { ...res, matches };
}

/** A worklist body like the RIS posts (issue 5's minimal example), with overrides. */
export function worklistBody(o: {
  name?: string; patientId?: string; accession: string; modality?: string; station?: string;
  date?: string; time?: string; description?: string; studyUid?: string; stepId?: string;
}): Record<string, unknown> {
  return {
    patient: { name: o.name ?? 'DOE^JANE', id: o.patientId ?? 'P1', birthDate: '19800101', sex: 'F' },
    accessionNumber: o.accession,
    requestedProcedure: { id: `RP-${o.accession}`, description: 'CT CHEST', code: { value: 'CTCHEST', scheme: 'L', meaning: 'CT chest' } },
    ...(o.studyUid ? { studyInstanceUid: o.studyUid } : {}),
    scheduledSteps: [
      {
        id: o.stepId ?? 'SPS1',
        modality: o.modality ?? 'CT',
        stationAeTitle: o.station ?? 'CT1',
        startDate: o.date ?? '20261124',
        startTime: o.time ?? '0900',
        description: o.description ?? 'CT CHEST W/O',
        protocolCodes: [{ value: 'P1', scheme: 'L', meaning: 'Chest routine' }],
      },
    ],
  };
}

/** Element values of dcmjs naturalized PN: `[{ Alphabetic }]`. */
export function personName(value: unknown): string | undefined {
  return Array.isArray(value) ? (value[0] as { Alphabetic?: string } | undefined)?.Alphabetic : (value as string | undefined);
}
