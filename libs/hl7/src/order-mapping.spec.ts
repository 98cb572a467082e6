import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hl7Message } from '@medplum/core';
import { WorklistItemDto } from '@pacs/worklist';
import { delimitersOf } from './hl7-encoding';
import { Hl7Error } from './hl7-errors';
import { Hl7Input, patientOf } from './hl7-fields';
import { validated } from './hl7-validation';
import { worklistOrderOf } from './order-mapping';

const input = (segments: string[]): Hl7Input => {
  const text = segments.join('\r');
  return { message: Hl7Message.parse(text), delimiters: delimitersOf(text)! };
};
/** A segment from its fields by number. */
const seg = (name: string, fields: Record<number, string>) => [name, ...Array.from({ length: Math.max(...Object.keys(fields).map(Number)) }, (_, i) => fields[i + 1] ?? '')].join('|');
const MSH = (type: string) => `MSH|^~\\&|RIS|HOSP|PACS|RAD|20261124080000||${type}|C1|P|2.5`;
const PID = 'PID|1||P1^^^HOSP&1.2.3&ISO||DOE^JANE^Q^JR^DR||19800101|F';
const ORM = [MSH('ORM^O01'), PID, 'ORC|NW|PL1|FL1', seg('OBR', { 1: '1', 2: 'PL1', 3: 'FL1', 4: 'CTCHEST^CT chest^99RIS', 16: '^WELBY^MARCUS^^^DR', 18: 'A100', 19: 'RP100', 20: 'SPS100', 24: 'CT', 27: '^^^20261124093000+0100' }), 'ZDS|1.2.3.4^RIS^Application^DICOM'];

const fails = (run: () => unknown, field: string, code: number) =>
  assert.throws(run, (err: unknown) => err instanceof Hl7Error && err.code === code && `${err.location?.segment}-${err.location?.field}` === field);

describe('HL7 order mapping (IHE SWF ORM / OMI to a worklist item)', () => {
  it('maps an ORM new order: PID, OBR-18/19/20 ids, OBR-4 code, OBR-24 modality, OBR-27 start, ZDS-1 study', () => {
    const order = worklistOrderOf(input(ORM), 'ANY');
    assert.equal(order.action, 'new');
    assert.deepEqual(order.item, {
      patient: { id: 'P1', issuer: 'HOSP', name: 'DOE^JANE^Q^DR^JR', birthDate: '19800101', sex: 'F' },
      accessionNumber: 'A100',
      requestedProcedure: { id: 'RP100', description: 'CT chest', code: { value: 'CTCHEST', meaning: 'CT chest', scheme: '99RIS' } },
      referringPhysician: 'WELBY^MARCUS^^DR',
      studyInstanceUid: '1.2.3.4',
      scheduledSteps: [
        { id: 'SPS100', modality: 'CT', stationAeTitle: 'ANY', stationName: undefined, startDate: '20261124', startTime: '093000', description: 'CT chest', protocolCodes: undefined },
      ],
    });
  });

  it('maps an OMI with one Scheduled Procedure Step per IPC, and TQ1-7 as the start', () => {
    const omi = [MSH('OMI^O23'), PID, 'ORC|XO|PL1|FL1', 'TQ1|||||||202611241000', 'OBR|1|PL1|FL1|MRHEAD^MR head', 'IPC|A200|RP200|1.2.5|SPS1|MR|PROTO^Head routine^99RIS|MR ROOM 1||MR1', 'IPC|A200|RP200|1.2.5|SPS2|MR||||MR2'];
    const order = worklistOrderOf(input(omi), 'ANY');
    assert.equal(order.action, 'change');
    assert.deepEqual([order.accessionNumber, order.requestedProcedureId, order.item?.studyInstanceUid], ['A200', 'RP200', '1.2.5']);
    const steps = order.item?.scheduledSteps as Record<string, unknown>[];
    assert.deepEqual(steps.map((s) => [s.id, s.modality, s.stationAeTitle, s.stationName, s.startDate, s.startTime]), [
      ['SPS1', 'MR', 'MR1', 'MR ROOM 1', '20261124', '1000'],
      ['SPS2', 'MR', 'MR2', undefined, '20261124', '1000'],
    ]);
    assert.deepEqual(steps[0].protocolCodes, [{ value: 'PROTO', meaning: 'Head routine', scheme: '99RIS' }]);
    assert.deepEqual(order.sources['scheduledSteps.1.modality'], { segment: 'IPC', field: 5, component: undefined, sequence: 2 });
  });

  it('takes the filler order number as accession when OBR-18 is empty, and it as the procedure and step IDs', () => {
    const orm = [MSH('ORM^O01'), PID, 'ORC|XO|PL1|FL9', seg('OBR', { 1: '1', 2: 'PL1', 3: 'FL9', 4: 'CT^CT', 24: 'CT', 27: '^^^20261124' })];
    const order = worklistOrderOf(input(orm), 'ANY');
    assert.deepEqual([order.action, order.accessionNumber, order.requestedProcedureId], ['change', 'FL9', 'FL9']);
    assert.deepEqual((order.item?.scheduledSteps as Record<string, unknown>[]).map((s) => [s.id, s.startTime]), [['FL9', '0000']]);
  });

  it('reads only the order IDs of a cancel: no start time or patient name needed', () => {
    const order = worklistOrderOf(input([MSH('ORM^O01'), 'PID|1||P1', 'ORC|OC|PL1', seg('OBR', { 1: '1', 18: 'A7', 19: 'RP7' })]), 'ANY');
    assert.deepEqual([order.action, order.accessionNumber, order.requestedProcedureId, order.item], ['cancel', 'A7', 'RP7', undefined]);
  });

  it('answers AE naming the field: missing segment, order control, start, bad birth date', async () => {
    fails(() => worklistOrderOf(input([MSH('ORM^O01'), PID, 'ORC|NW']), 'ANY'), 'OBR-undefined', 101);
    fails(() => worklistOrderOf(input([MSH('ORM^O01'), PID, 'ORC|SC', 'OBR|1']), 'ANY'), 'ORC-1', 103);
    fails(() => worklistOrderOf(input([MSH('ORM^O01'), PID, 'ORC|NW', seg('OBR', { 1: '1', 18: 'A1' })]), 'ANY'), 'OBR-27', 101);
    fails(() => worklistOrderOf(input([MSH('ORM^O01'), 'PID|1||||DOE', 'ORC|NW', seg('OBR', { 1: '1', 18: 'A1' })]), 'ANY'), 'PID-3', 101);
    const bad = worklistOrderOf(input([MSH('ORM^O01'), PID.replace('19800101', '19801301'), ...ORM.slice(2)]), 'ANY');
    await assert.rejects(validated(WorklistItemDto, bad.item!, bad.sources), (err: unknown) => {
      assert.ok(err instanceof Hl7Error);
      assert.deepEqual([err.ack, err.code, err.location?.segment, err.location?.field], ['AE', 102, 'PID', 7]);
      assert.match(err.message, /^PID-7 \(patient\.birthDate\): birthDate must be a DICOM date/);
      return true;
    });
  });

  it('maps HL7 sex codes and leaves U out', () => {
    const sexes = ['M', 'F', 'O', 'U', 'A', 'N', ''].map((s) => patientOf(input([MSH('ADT^A08'), `PID|1||P1||DOE||19800101|${s}`]).message.getSegment('PID')!, delimitersOf('MSH|^~\\&')!).patient.sex);
    assert.deepEqual(sexes, ['M', 'F', 'O', undefined, 'O', 'O', undefined]);
  });
});
