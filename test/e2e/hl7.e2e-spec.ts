// HL7 v2 from the RIS end to end: a sender speaking MLLP over a real socket schedules, changes
// and cancels orders (ORM, OMI) and corrects and merges patients (ADT A08, A40); the REST API
// and DCMTK's `findscu -W` (the modality) show the effects, and every answer is an ACK whose
// code, control ID and ERR segment are checked, malformed input included.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { http } from '../support/http';
import { MllpClient, msh, pid, seg } from '../support/mllp';
import { freePort } from '../support/ports';
import { startTestServer, TestServer } from '../support/server';
import { findscuWorklist, mwlQueryFile, Naturalized, personName } from '../support/worklist';

/** An ORM^O01 as an IHE SWF order placer sends it (OBR-18 accession, OBR-19 RP ID, OBR-20 SPS ID, ZDS-1 study). */
function orm(control: string, orc1: string, o: { patientId: string; name: string; accession: string; start?: string; modality?: string; birth?: string; studyUid?: string }): string[] {
  return [
    msh('ORM^O01', control),
    pid(o.patientId, o.name, o.birth),
    seg('ORC', { 1: orc1, 2: `PL-${o.accession}`, 3: `FL-${o.accession}` }),
    seg('OBR', { 1: '1', 2: `PL-${o.accession}`, 3: `FL-${o.accession}`, 4: 'CTCHEST^CT chest^99RIS', 16: '^WELBY^MARCUS', 18: o.accession, 19: `RP-${o.accession}`, 20: `SPS-${o.accession}`, 24: o.modality ?? 'CT', 27: `^^^${o.start ?? '202611240930'}` }),
    ...(o.studyUid ? [seg('ZDS', { 1: `${o.studyUid}^RIS^Application^DICOM` })] : []),
  ];
}

/** An MWL query for one accession number, returning the usual keys. */
const mwlQuery = (accession: string) =>
  mwlQueryFile([
    '(0008,0005) CS [ISO_IR 192]', `(0008,0050) SH [${accession}]`, '(0010,0010) PN []', '(0010,0020) LO []', '(0010,0030) DA []', '(0020,000d) UI []', '(0040,1001) SH []', '(0032,1060) LO []',
    '(0040,0100) SQ', '(fffe,e000) -', '(0040,0001) AE []', '(0040,0002) DA []', '(0040,0003) TM []', '(0008,0060) CS []', '(0040,0009) SH []', '(fffe,e00d) -', '(fffe,e0dd) -',
  ]);

describe('HL7 v2 over MLLP: orders and patient updates from the RIS', () => {
  let server: TestServer;
  let admin: string;
  let hl7Port: number;
  let ris: MllpClient;

  before(async () => {
    hl7Port = await freePort();
    server = await startTestServer({ env: { PACS_HL7_PORT: String(hl7Port), PACS_HL7_ALLOWED_SENDERS: 'RIS^HOSP,ADT^HOSP', PACS_HL7_STATION_AE: 'CT1' } });
    admin = await server.token();
    ris = await MllpClient.connect(hl7Port);
  });
  after(async () => {
    ris?.close();
    await server?.stop();
  });

  const items = async (query: string) => {
    const res = await http(`${server.httpUrl}/api/worklist?${query}`, { token: admin });
    assert.equal(res.status, 200, res.body.toString());
    return res.json().items as any[];
  };
  const mwl = async (accession: string): Promise<Naturalized[]> => {
    const res = await findscuWorklist(server.dimsePort, await mwlQuery(accession));
    assert.equal(res.code, 0, res.stdout + res.stderr);
    return res.matches;
  };
  const audit = async (query: string) => {
    const res = await http(`${server.httpUrl}/api/audit?${query}`, { token: admin });
    assert.equal(res.status, 200, res.body.toString());
    return res.json().items as any[];
  };

  it('ORM NW schedules an item that GET /api/worklist and MWL C-FIND show with the mapped attributes', async () => {
    const ack = await ris.request(orm('NW-1', 'NW', { patientId: 'HP1', name: 'SEVEN^ANNA', accession: 'H-A1', studyUid: '1.2.826.0.1.3680043.8.498.7001' }));
    assert.deepEqual([ack.code, ack.controlId], ['AA', 'NW-1'], ack.raw);
    assert.match(ack.raw, /^MSH\|\^~\\&\|PACS\|RAD\|RIS\|HOSP\|\d{14}\+0000\|\|ACK\^O01\^ACK\|/);
    const [item] = await items('accessionNumber=H-A1');
    assert.equal(item.status, 'SCHEDULED');
    assert.deepEqual(item.patient, { name: 'SEVEN^ANNA', id: 'HP1', issuer: 'HOSP', birthDate: '19800101', sex: 'F' });
    assert.deepEqual(item.requestedProcedure, { id: 'RP-H-A1', description: 'CT chest', code: { value: 'CTCHEST', scheme: '99RIS', meaning: 'CT chest' } });
    assert.equal(item.referringPhysician, 'WELBY^MARCUS');
    assert.equal(item.studyInstanceUid, '1.2.826.0.1.3680043.8.498.7001');
    const [m] = await mwl('H-A1');
    assert.equal(personName(m.PatientName), 'SEVEN^ANNA');
    assert.deepEqual([m.PatientID, m.PatientBirthDate, m.StudyInstanceUID, m.RequestedProcedureID], ['HP1', '19800101', '1.2.826.0.1.3680043.8.498.7001', 'RP-H-A1']);
    const step = m.ScheduledProcedureStepSequence[0];
    assert.deepEqual([step.ScheduledStationAETitle, step.ScheduledProcedureStepStartDate, step.ScheduledProcedureStepStartTime, step.Modality, step.ScheduledProcedureStepID], ['CT1', '20261124', '0930', 'CT', 'SPS-H-A1']);
    const resent = await ris.request(orm('NW-1', 'NW', { patientId: 'HP1', name: 'SEVEN^ANNA', accession: 'H-A1', studyUid: '1.2.826.0.1.3680043.8.498.7001' }));
    assert.equal(resent.code, 'AA', 'the same order sent again (our ACK lost) is acknowledged, not a duplicate');
    assert.equal((await items('accessionNumber=H-A1')).length, 1);
    const [event] = await audit('action=110111&patientId=HP1');
    assert.deepEqual([event.actor, event.actionCode, event.outcome, event.details.channel, event.details.controlId, event.studyUids], ['RIS^HOSP', 'C', 0, 'hl7', 'NW-1', [item.studyInstanceUid]]);
  });

  it('ORM XO changes the item, CA cancels it and MWL stops offering it', async () => {
    assert.equal((await ris.request(orm('XO-1', 'XO', { patientId: 'HP1', name: 'SEVEN^ANNA', accession: 'H-A1', start: '202611251415', modality: 'MR' }))).code, 'AA');
    const [changed] = await items('accessionNumber=H-A1');
    assert.deepEqual([changed.scheduledSteps[0].startDate, changed.scheduledSteps[0].startTime, changed.scheduledSteps[0].modality], ['20261125', '1415', 'MR']);
    assert.equal(changed.studyInstanceUid, '1.2.826.0.1.3680043.8.498.7001', 'a change without ZDS keeps the Study Instance UID');
    assert.equal((await mwl('H-A1'))[0].ScheduledProcedureStepSequence[0].Modality, 'MR');
    const ack = await ris.request(orm('CA-1', 'CA', { patientId: 'HP1', name: 'SEVEN^ANNA', accession: 'H-A1' }));
    assert.deepEqual([ack.code, ack.controlId], ['AA', 'CA-1']);
    assert.equal((await items('accessionNumber=H-A1'))[0].status, 'CANCELLED');
    assert.deepEqual(await mwl('H-A1'), []);
    const unknown = await ris.request(orm('CA-2', 'CA', { patientId: 'HP1', name: 'SEVEN^ANNA', accession: 'H-NONE' }));
    assert.deepEqual([unknown.code, unknown.errLocation, unknown.errCode], ['AE', 'OBR^1^18^1', '204']);
  });

  it('OMI^O23 schedules from IPC (accession, study UID, step, modality, station AE) and TQ1', async () => {
    const ack = await ris.request([
      msh('OMI^O23', 'OMI-1'), pid('HP2', 'EIGHT^BEN', '19700202', 'M'), seg('ORC', { 1: 'NW', 2: 'PL9' }), seg('TQ1', { 7: '20261126081500' }),
      seg('OBR', { 1: '1', 2: 'PL9', 4: 'MRHEAD^MR head^99RIS' }), seg('IPC', { 1: 'H-O1', 2: 'RP-O1', 3: '1.2.826.0.1.3680043.8.498.7002', 4: 'SPS-O1', 5: 'MR', 9: 'MR1' }),
    ]);
    assert.equal(ack.code, 'AA', ack.raw);
    assert.match(ack.raw, /\|ACK\^O23\^ACK\|/);
    const [m] = await mwl('H-O1');
    const step = m.ScheduledProcedureStepSequence[0];
    assert.deepEqual([m.StudyInstanceUID, m.RequestedProcedureID, step.ScheduledStationAETitle, step.Modality, step.ScheduledProcedureStepStartTime], ['1.2.826.0.1.3680043.8.498.7002', 'RP-O1', 'MR1', 'MR', '081500']);
  });

  it('ADT A08 corrects the name on the worklist, in the sender own delimiters', async () => {
    await ris.request(orm('NW-3', 'NW', { patientId: 'HP3', name: 'NINE^CARL', accession: 'H-A3' }));
    const a08 = ['MSH#@!$%#ADT#HOSP#PACS#RAD#20261124090000##ADT@A08#A08-1#P#2.5', 'EVN#A08', 'PID#1##HP3@@@HOSP##NINE@KARL##19810303#M'];
    const ack = await ris.request(a08);
    assert.match(ack.raw, /^MSH#@!\$%#PACS#RAD#ADT#HOSP#/);
    assert.match(ack.raw, /#ACK@A08@ACK#/);
    assert.deepEqual([ack.code, ack.controlId], ['AA', 'A08-1']);
    const [item] = await items('patientId=HP3');
    assert.deepEqual(item.patient, { name: 'NINE^KARL', id: 'HP3', issuer: 'HOSP', birthDate: '19810303', sex: 'M' });
    assert.equal(personName((await mwl('H-A3'))[0].PatientName), 'NINE^KARL');
    const [event] = await audit('action=110110&patientId=HP3');
    assert.deepEqual([event.actor, event.actionCode, event.outcome, event.details.event], ['ADT^HOSP', 'U', 0, 'A08']);
  });

  it('ADT A40 moves the items of the prior Patient ID (MRG-1) to the surviving one', async () => {
    await ris.request(orm('NW-4', 'NW', { patientId: 'HP4-OLD', name: 'TEN^DORA', accession: 'H-A4' }));
    const ack = await ris.request([msh('ADT^A40', 'A40-1', 'ADT^HOSP'), 'EVN|A40', pid('HP4', 'TEN^DORA^M'), seg('MRG', { 1: 'HP4-OLD^^^HOSP' })]);
    assert.deepEqual([ack.code, ack.controlId], ['AA', 'A40-1'], ack.raw);
    assert.deepEqual(await items('patientId=HP4-OLD'), []);
    const [item] = await items('patientId=HP4');
    assert.deepEqual([item.accessionNumber, item.patient.name], ['H-A4', 'TEN^DORA^M']);
    assert.equal((await mwl('H-A4'))[0].PatientID, 'HP4');
  });

  it('answers AR to an unsupported message type or event, AE with ERR to a bad field', async () => {
    const oru = await ris.request([msh('ORU^R01', 'ORU-1'), pid('HP5', 'X^Y')]);
    assert.deepEqual([oru.code, oru.controlId, oru.errLocation, oru.errCode], ['AR', 'ORU-1', 'MSH^1^9^1^1', '200']);
    const a01 = await ris.request([msh('ADT^A01', 'A01-1'), pid('HP5', 'X^Y')]);
    assert.deepEqual([a01.code, a01.errLocation, a01.errCode], ['AR', 'MSH^1^9^1^2', '201']);
    const bad = await ris.request(orm('BAD-1', 'NW', { patientId: 'HP5', name: 'X^Y', accession: 'H-BAD', birth: '19801301' }));
    assert.deepEqual([bad.code, bad.controlId, bad.errLocation, bad.errCode], ['AE', 'BAD-1', 'PID^1^7^1', '102'], bad.raw);
    assert.match(bad.text, /PID-7 \(patient\.birthDate\): birthDate must be a DICOM date/);
    assert.deepEqual(await items('accessionNumber=H-BAD'), []);
    const [refused] = await audit('action=110111&patientId=HP5');
    assert.deepEqual([refused.actionCode, refused.outcome, refused.details.ack, refused.details.controlId], ['C', 4, 'AE', 'BAD-1'], 'a refused order is audited too');
    const again = await ris.request(orm('NW-1b', 'NW', { patientId: 'HP1', name: 'SEVEN^ANNA', accession: 'H-A1' }));
    assert.deepEqual([again.code, again.errLocation, again.errCode], ['AE', 'OBR^1^18^1', '205'], 'an accession number already used is a duplicate key');
  });

  it('answers AR to an unknown sender, changes nothing and audits a Security Alert', async () => {
    const ack = await ris.request(orm('EVIL-1', 'NW', { patientId: 'HP6', name: 'X^Y', accession: 'H-EVIL' }).map((s, i) => (i === 0 ? msh('ORM^O01', 'EVIL-1', 'EVIL^NET') : s)));
    assert.deepEqual([ack.code, ack.controlId, ack.errLocation, ack.errCode], ['AR', 'EVIL-1', 'MSH^1^3^1', '103']);
    assert.deepEqual(await items('accessionNumber=H-EVIL'), []);
    const [event] = await audit('action=110113&actor=EVIL%5ENET');
    assert.deepEqual([event.outcome, event.details.channel, event.details.eventType?.code, event.details.controlId], [4, 'hl7', '110126', 'EVIL-1']);
  });

  it('keeps the connection through garbage, a half frame, a frame without MSH and an oversized frame', async () => {
    const client = await MllpClient.connect(hl7Port);
    try {
      client.write('some garbage\r\n');
      client.write(Buffer.from('\x0bMSH|^~\\&|RIS|HOSP|PACS|RAD|2026||ORM^O01|HALF|P|2.5\rPID|1||'));
      const good = await client.request([msh('ADT^A08', 'AFTER-1'), pid('HP9', 'X^Y')]);
      assert.deepEqual([good.code, good.controlId], ['AA', 'AFTER-1'], 'the good message after garbage and a cut-off frame is answered');
      const noMsh = await client.request('this is not HL7');
      assert.deepEqual([noMsh.code, noMsh.controlId], ['AR', '']);
      const big = await client.request([msh('ORM^O01', 'BIG-1'), `NTE|1||${'x'.repeat(1024 * 1024)}`]);
      assert.deepEqual([big.code, big.controlId], ['AR', 'BIG-1'], big.raw.slice(0, 300));
      const last = await client.request([msh('ADT^A08', 'AFTER-2'), pid('HP9', 'X^Y')]);
      assert.deepEqual([last.code, last.controlId], ['AA', 'AFTER-2']);
      assert.equal(client.closed, false);
    } finally {
      client.close();
    }
  });
});
