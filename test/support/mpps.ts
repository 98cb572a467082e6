// An MPPS SCU for the end-to-end tests (dcmjs-dimse Client, N-CREATE / N-SET, PS3.4 F) and the
// data sets a modality sends: the N-CREATE of PS3.4 Table F.7.2-1 and the final N-SET.
import { Client, Dataset, log, requests } from 'dcmjs-dimse';

// dcmjs-dimse logs every PDU of the test's own client at info.
log.setLevel('warn');

const MPPS = '1.2.840.10008.3.1.2.3.3';
export type Attrs = Record<string, unknown>;
export type MppsOp = { create: string; attrs: Attrs } | { set: string; attrs: Attrs };

/** Sends N-CREATE / N-SET requests on one association as TESTSCU; resolves to their statuses in order. */
export function sendMpps(port: number, ops: MppsOp[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const statuses: number[] = ops.map(() => -1);
    ops.forEach((op, i) => {
      const request = 'create' in op ? new requests.NCreateRequest(MPPS, op.create) : new requests.NSetRequest(MPPS, op.set);
      request.setDataset(new Dataset(op.attrs, '1.2.840.10008.1.2.1'));
      request.on('response', (response: { getStatus(): number }) => (statuses[i] = response.getStatus()));
      client.addRequest(request);
    });
    client.on('networkError', reject);
    client.on('associationRejected', () => reject(new Error('association rejected')));
    client.on('closed', () => resolve(statuses));
    client.send('127.0.0.1', port, 'TESTSCU', 'PACS');
  });
}

/** An N-CREATE data set (PS3.4 Table F.7.2-1) for a step of the given study. */
export function inProgress(studyUid: string, stepId: string, edit: (a: Attrs) => void = () => undefined, accession = ''): Attrs {
  const attrs: Attrs = {
    SpecificCharacterSet: 'ISO_IR 192',
    ScheduledStepAttributesSequence: [{ StudyInstanceUID: studyUid, AccessionNumber: accession, ScheduledProcedureStepID: stepId, RequestedProcedureID: '' }],
    PatientName: [{ Alphabetic: 'DOE^JANE' }],
    PatientID: 'P1',
    PerformedProcedureStepID: 'PPS1',
    PerformedStationAETitle: 'CT1',
    PerformedProcedureStepStartDate: '20261124',
    PerformedProcedureStepStartTime: '0905',
    PerformedProcedureStepStatus: 'IN PROGRESS',
    PerformedProcedureStepEndDate: '',
    PerformedProcedureStepEndTime: '',
    Modality: 'CT',
    PerformedSeriesSequence: [],
  };
  edit(attrs);
  return attrs;
}

/** The final N-SET: status, end date/time and the performed series with their images. */
export function finish(status: string, series: { seriesUid: string; sopUids: string[] }[]): Attrs {
  return {
    PerformedProcedureStepStatus: status,
    PerformedProcedureStepEndDate: '20261124',
    PerformedProcedureStepEndTime: '0920',
    PerformedSeriesSequence: series.map((s) => ({
      SeriesInstanceUID: s.seriesUid,
      SeriesDescription: 'CHEST',
      PerformingPhysicianName: [],
      ProtocolName: 'CHEST',
      OperatorsName: [],
      RetrieveAETitle: '',
      ReferencedImageSequence: s.sopUids.map((uid) => ({ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.2', ReferencedSOPInstanceUID: uid })),
    })),
  };
}
