import type { Hl7Segment } from '@medplum/core';
import { ErrLocation, Hl7Error, Hl7ErrorCode, missing } from './hl7-errors';
import { dateTime, firstOf, Hl7Input, patientOf, personName, required, value } from './hl7-fields';

/** ORC-1 Order Control (HL7 table 0119) codes this PACS acts on. */
const ORDER_CONTROLS: Record<string, OrderAction> = { NW: 'new', XO: 'change', CA: 'cancel', OC: 'cancel' };
export type OrderAction = 'new' | 'change' | 'cancel';

/** An order as the worklist takes it: the POST /api/worklist body and where each property came from. */
export interface WorklistOrder {
  action: OrderAction;
  orderControl: string;
  accessionNumber: string;
  requestedProcedureId: string;
  /** The body, validated as POST /api/worklist validates it; none for a cancel, which needs the IDs alone. */
  item?: Record<string, unknown>;
  /** DTO property path (`patient.birthDate`, `scheduledSteps.1.modality`) → its HL7 field. */
  sources: Record<string, ErrLocation>;
  accessionAt: ErrLocation;
}

const at = (segment: string, field: number, component?: number, sequence?: number): ErrLocation => ({ segment, field, component, sequence });

/**
 * ORM^O01 (HL7 v2.3.1-2.5 4.4.1) or OMI^O23 (v2.5 4.4.11) to a worklist item, as IHE Scheduled
 * Workflow maps them (IHE RAD TF-2 4.4, Procedure Scheduled; RAD TF-2 Appendix B, HL7 to DICOM):
 * - Accession Number: IPC-1 (OMI) or OBR-18 (Placer Field 1); RIS that send neither put it in
 *   the filler order number, ORC-3 or OBR-3, which is taken then.
 * - Requested Procedure ID: IPC-2 or OBR-19 (Placer Field 2), else the accession number.
 * - Scheduled Procedure Step ID: IPC-4 or OBR-20 (Filler Field 1), else the requested procedure ID.
 * - Study Instance UID: IPC-3 or ZDS-1; generated when absent.
 * - Modality: IPC-5 or OBR-24 (Diagnostic Serv Sect ID). Start: TQ1-7, else OBR-27.4, else ORC-7.4.
 * - Requested procedure: OBR-4 (code^text^coding system; no coding system: L, local).
 * - Scheduled Station AE Title: IPC-9, else PACS_HL7_STATION_AE; station name IPC-7.
 * Each IPC segment of an OMI is one Scheduled Procedure Step; an ORM has one.
 */
export function worklistOrderOf(input: Hl7Input, stationAeTitle: string): WorklistOrder {
  const d = input.delimiters;
  const pid = required(input, 'PID');
  const orcs = input.message.getAllSegments('ORC');
  if (orcs.length > 1) throw new Hl7Error('AE', Hl7ErrorCode.SegmentSequenceError, 'one order (ORC) per message', at('ORC', 1, undefined, 2));
  const orc = required(input, 'ORC');
  const obr = required(input, 'OBR');
  const ipcs = input.message.getAllSegments('IPC');
  const orderControl = value(orc, d, 1);
  const action = ORDER_CONTROLS[orderControl];
  if (!orderControl) throw missing(at('ORC', 1), 'ORC-1 Order Control');
  if (!action) throw new Hl7Error('AE', Hl7ErrorCode.TableValueNotFound, `ORC-1 Order Control ${orderControl} is not supported (NW, XO, CA, OC)`, at('ORC', 1));
  const ipc = ipcs[0];
  const accession = firstOf([
    [value(ipc, d, 1), at('IPC', 1)],
    [value(obr, d, 18), at('OBR', 18)],
    [value(orc, d, 3), at('ORC', 3)],
    [value(obr, d, 3), at('OBR', 3)],
  ]);
  if (!accession.value) throw missing(ipc ? at('IPC', 1) : at('OBR', 18), 'Accession Number (IPC-1, OBR-18 or ORC-3)');
  const procedure = firstOf([[value(ipc, d, 2), at('IPC', 2)], [value(obr, d, 19), at('OBR', 19)], [accession.value, accession.location]]);
  const ids = { action, orderControl, accessionNumber: accession.value, requestedProcedureId: procedure.value, accessionAt: accession.location };
  if (action === 'cancel') return { ...ids, sources: { accessionNumber: accession.location, 'requestedProcedure.id': procedure.location } };
  const { patient, sources: patientSources } = patientOf(pid, d);
  const sources: Record<string, ErrLocation> = {
    accessionNumber: accession.location,
    'requestedProcedure.id': procedure.location,
    'requestedProcedure.description': at('OBR', 4, 2),
    'requestedProcedure.code.value': at('OBR', 4, 1),
    'requestedProcedure.code.scheme': at('OBR', 4, 3),
    'requestedProcedure.code.meaning': at('OBR', 4, 2),
    referringPhysician: at('OBR', 16),
    ...Object.fromEntries(Object.entries(patientSources).map(([k, v]) => [`patient.${k}`, v])),
  };
  const study = firstOf([[value(ipc, d, 3), at('IPC', 3)], [value(input.message.getSegment('ZDS'), d, 1), at('ZDS', 1)]]);
  if (study.value) sources.studyInstanceUid = study.location;
  const steps = (ipcs.length > 0 ? ipcs : [undefined]).map((seg, i) => scheduledStep(input, { orc, obr, ipc: seg, index: i }, procedure.value, stationAeTitle, sources));
  const code = value(obr, d, 4, 1);
  const item = {
    patient,
    accessionNumber: accession.value,
    requestedProcedure: {
      id: procedure.value,
      description: value(obr, d, 4, 2) || undefined,
      code: code ? { value: code, meaning: value(obr, d, 4, 2) || code, scheme: value(obr, d, 4, 3) || 'L' } : undefined,
    },
    referringPhysician: personName(obr, d, 16, 2) || undefined,
    studyInstanceUid: study.value || undefined,
    scheduledSteps: steps,
  };
  return { ...ids, item, sources };
}

/** One Scheduled Procedure Step: from an IPC segment (OMI), or from OBR alone (ORM). */
function scheduledStep(
  input: Hl7Input,
  segs: { orc: Hl7Segment; obr: Hl7Segment; ipc?: Hl7Segment; index: number },
  requestedProcedureId: string,
  stationAeTitle: string,
  sources: Record<string, ErrLocation>,
): Record<string, unknown> {
  const d = input.delimiters;
  const { orc, obr, ipc, index } = segs;
  const ipcAt = (field: number) => at('IPC', field, undefined, index + 1);
  const tq1 = input.message.getSegment('TQ1');
  const start = firstOf([[value(tq1, d, 7, 1), at('TQ1', 7)], [value(obr, d, 27, 4), at('OBR', 27, 4)], [value(orc, d, 7, 4), at('ORC', 7, 4)]]);
  if (!start.value) throw missing(tq1 ? at('TQ1', 7) : at('OBR', 27, 4), 'the scheduled start (TQ1-7 or OBR-27.4)');
  const id = firstOf([[value(ipc, d, 4), ipcAt(4)], [value(obr, d, 20), at('OBR', 20)], [requestedProcedureId, sources['requestedProcedure.id']]]);
  const modality = firstOf([[value(ipc, d, 5), ipcAt(5)], [value(obr, d, 24), at('OBR', 24)]]);
  const station = firstOf([[value(ipc, d, 9), ipcAt(9)], [stationAeTitle, at('IPC', 9, undefined, index + 1)]]);
  const protocol = value(ipc, d, 6, 1);
  const { date, time } = dateTime(start.value);
  const prefix = `scheduledSteps.${index}`;
  Object.assign(sources, {
    [`${prefix}.id`]: id.location,
    [`${prefix}.modality`]: ipc ? ipcAt(5) : at('OBR', 24),
    [`${prefix}.stationAeTitle`]: station.location,
    [`${prefix}.stationName`]: ipcAt(7),
    [`${prefix}.startDate`]: start.location,
    [`${prefix}.startTime`]: start.location,
    [`${prefix}.description`]: at('OBR', 4, 2),
    [`${prefix}.protocolCodes`]: ipcAt(6),
  });
  return {
    id: id.value,
    modality: modality.value,
    stationAeTitle: station.value,
    stationName: value(ipc, d, 7) || undefined,
    startDate: date,
    startTime: time,
    description: value(obr, d, 4, 2) || undefined,
    protocolCodes: protocol ? [{ value: protocol, meaning: value(ipc, d, 6, 2) || protocol, scheme: value(ipc, d, 6, 3) || 'L' }] : undefined,
  };
}
