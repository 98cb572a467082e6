// Worklist end to end: the RIS schedules over REST (/api/worklist) with DICOM-aware validation,
// and DCMTK's `findscu -W` (the modality) gets exactly the matching Scheduled Procedure Steps
// over Modality Worklist C-FIND (PS3.4 K), sequence content included.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { findscuWorklist, mwlQueryFile, personName, worklistBody } from '../support/worklist';

const SPS = '(0040,0100) SQ';
const ITEM = '(fffe,e000) -';
const END_ITEM = '(fffe,e00d) -';
const END_SEQ = '(fffe,e0dd) -';

/** A query returning the usual keys; `sps` are matching keys inside the Scheduled Procedure Step Sequence. */
function query(top: Record<string, string>, sps: Record<string, string>): string[] {
  const stepKeys: Record<string, string> = {
    '(0040,0001) AE': '', '(0040,0002) DA': '', '(0040,0003) TM': '', '(0008,0060) CS': '',
    '(0040,0007) LO': '', '(0040,0009) SH': '', '(0040,0008) SQ': '', ...sps,
  };
  const topKeys: Record<string, string> = {
    '(0008,0005) CS': 'ISO_IR 192', '(0008,0050) SH': '', '(0010,0010) PN': '', '(0010,0020) LO': '', '(0020,000d) UI': '',
    '(0040,1001) SH': '', '(0032,1060) LO': '', ...top,
  };
  const line = (k: string, v: string) => (k.endsWith('SQ') ? `${k}\n${END_SEQ}` : `${k} [${v}]`);
  return [
    ...Object.entries(topKeys).map(([k, v]) => line(k, v)),
    SPS, ITEM, ...Object.entries(stepKeys).map(([k, v]) => line(k, v)), END_ITEM, END_SEQ,
  ];
}

describe('Worklist: REST for the RIS and MWL C-FIND for modalities', () => {
  let server: TestServer;
  let admin: string;
  let ris: string;
  let viewer: string;

  before(async () => {
    server = await startTestServer();
    admin = await server.token();
    for (const [username, roles] of [['ris1', ['ris']], ['viewer1', ['viewer-service']]] as const) {
      const res = await http(`${server.httpUrl}/api/users`, {
        method: 'POST', token: admin, headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'a-long-password-1', roles }),
      });
      assert.equal(res.status, 201, res.body.toString());
    }
    ris = await server.token('ris1', 'a-long-password-1');
    viewer = await server.token('viewer1', 'a-long-password-1');
  });
  after(async () => {
    await server?.stop();
  });

  const post = (body: unknown, token = ris) =>
    http(`${server.httpUrl}/api/worklist`, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('accepts the minimal RIS body, answers 201 with id, status SCHEDULED and a generated Study Instance UID', async () => {
    const res = await post({
      patient: { name: 'DOE^JANE', id: 'P1', birthDate: '19800101', sex: 'F' },
      accessionNumber: 'A1',
      requestedProcedure: { id: 'RP1', description: 'CT CHEST' },
      scheduledSteps: [{ id: 'SPS1', modality: 'CT', stationAeTitle: 'CT1', startDate: '20261124', startTime: '0900', description: 'CT CHEST W/O' }],
    });
    assert.equal(res.status, 201, res.body.toString());
    const item = res.json();
    assert.match(item.id, /^\d+$/);
    assert.equal(item.status, 'SCHEDULED');
    assert.match(item.studyInstanceUid, /^2\.25\.\d+$/);
    assert.deepEqual(item.scheduledSteps.map((s: any) => [s.id, s.status, s.stationAeTitle]), [['SPS1', 'SCHEDULED', 'CT1']]);
    const got = await http(`${server.httpUrl}/api/worklist/${item.id}`, { token: ris });
    assert.equal(got.status, 200);
    assert.equal(got.json().accessionNumber, 'A1');
  });

  it('answers 400 naming the field for each bad value', async () => {
    const base = () => worklistBody({ accession: 'BAD-1' }) as any;
    const cases: [string, (b: any) => void, RegExp][] = [
      ['birth date not a calendar date', (b) => (b.patient.birthDate = '19801301'), /birthDate must be a DICOM date/],
      ['start date with dashes', (b) => (b.scheduledSteps[0].startDate = '2026-11-24'), /startDate must be a DICOM date/],
      ['start time hour 25', (b) => (b.scheduledSteps[0].startTime = '2500'), /startTime must be a DICOM time/],
      ['patient name with six components', (b) => (b.patient.name = 'A^B^C^D^E^F'), /name must be a DICOM person name/],
      ['patient name with a backslash', (b) => (b.patient.name = 'DOE\\JANE'), /name must be a DICOM person name/],
      ['station AE title of 17 characters', (b) => (b.scheduledSteps[0].stationAeTitle = 'A'.repeat(17)), /stationAeTitle must be an AE title/],
      ['Study Instance UID with a leading zero', (b) => (b.studyInstanceUid = '1.02.3'), /studyInstanceUid must be a DICOM UID/],
      ['modality in lower case', (b) => (b.scheduledSteps[0].modality = 'ct'), /modality must be a DICOM code string/],
      ['sex X', (b) => (b.patient.sex = 'X'), /sex must be M, F or O/],
      ['accession number over 16 characters', (b) => (b.accessionNumber = 'A'.repeat(17)), /accessionNumber must be at most 16/],
      ['no scheduled step', (b) => (b.scheduledSteps = []), /scheduledSteps must hold at least one step/],
      ['an unknown field', (b) => (b.colour = 'blue'), /property colour should not exist/],
      ['a duplicate step id', (b) => b.scheduledSteps.push({ ...b.scheduledSteps[0] }), /ids must be unique/],
    ];
    for (const [name, edit, message] of cases) {
      const body = base();
      edit(body);
      const res = await post(body);
      assert.equal(res.status, 400, `${name}: ${res.body}`);
      assert.match(res.json().message, message, name);
    }
    const list = await http(`${server.httpUrl}/api/worklist?accessionNumber=BAD-1`, { token: ris });
    assert.equal(list.json().total, 0, 'nothing stored');
  });

  it('refuses a second item with the same accession number and issuer (409) but takes another issuer', async () => {
    assert.equal((await post(worklistBody({ accession: 'DUP-1' }))).status, 201);
    const dup = await post(worklistBody({ accession: 'DUP-1' }));
    assert.equal(dup.status, 409);
    assert.equal(dup.json().error, 'worklist-conflict');
    assert.equal((await post({ ...worklistBody({ accession: 'DUP-1' }), accessionIssuer: 'OTHER' })).status, 201);
  });

  it('enforces permissions: a viewer service may not read or write the worklist', async () => {
    assert.equal((await post(worklistBody({ accession: 'PERM-1' }), viewer)).status, 403);
    assert.equal((await http(`${server.httpUrl}/api/worklist`, { token: viewer })).status, 403);
    assert.equal((await http(`${server.httpUrl}/api/worklist`)).status, 401);
  });

  it('lists with filters and pagination, replaces a scheduled item, cancels it and then refuses to change it', async () => {
    const a = (await post(worklistBody({ accession: 'L-1', modality: 'MR', station: 'MR9', date: '20300101', patientId: 'LP' }))).json();
    await post(worklistBody({ accession: 'L-2', modality: 'MR', station: 'MR9', date: '20300102', patientId: 'LP' }));
    await post(worklistBody({ accession: 'L-3', modality: 'MR', station: 'MR9', date: '20300201', patientId: 'LP' }));
    const list = (q: string) => http(`${server.httpUrl}/api/worklist?${q}`, { token: ris }).then((r) => r.json());
    assert.deepEqual((await list('stationAeTitle=MR9&dateFrom=20300101&dateTo=20300131')).items.map((i: any) => i.accessionNumber).sort(), ['L-1', 'L-2']);
    const page = await list('patientId=LP&modality=MR&limit=2&offset=2');
    assert.equal(page.total, 3);
    assert.equal(page.items.length, 1);
    assert.equal((await http(`${server.httpUrl}/api/worklist?dateFrom=2030-01-01`, { token: ris })).status, 400);

    const put = await http(`${server.httpUrl}/api/worklist/${a.id}`, {
      method: 'PUT', token: ris, headers: { 'content-type': 'application/json' },
      body: JSON.stringify(worklistBody({ accession: 'L-1', modality: 'MR', station: 'MR9', date: '20300103', patientId: 'LP' })),
    });
    assert.equal(put.status, 200, put.body.toString());
    assert.equal(put.json().scheduledSteps[0].startDate, '20300103');
    assert.equal(put.json().studyInstanceUid, a.studyInstanceUid, 'Study Instance UID kept');

    const del = await http(`${server.httpUrl}/api/worklist/${a.id}`, { method: 'DELETE', token: ris });
    assert.equal(del.status, 200);
    assert.equal(del.json().status, 'CANCELLED');
    const again = await http(`${server.httpUrl}/api/worklist/${a.id}`, {
      method: 'PUT', token: ris, headers: { 'content-type': 'application/json' }, body: JSON.stringify(worklistBody({ accession: 'L-1' })),
    });
    assert.equal(again.status, 409);
    assert.equal((await http(`${server.httpUrl}/api/worklist/999999`, { method: 'DELETE', token: ris })).status, 404);
    assert.equal((await list('status=CANCELLED&patientId=LP')).total, 1);
  });

  describe('findscu -W', () => {
    const items: Record<string, any> = {};
    before(async () => {
      const specs = [
        { accession: 'W-A', name: 'WLTEST^ANNA', patientId: 'WP1', modality: 'CT', station: 'CTW1', date: '20271124', time: '0900' },
        { accession: 'W-B', name: 'WLTEST^BERT', patientId: 'WP2', modality: 'MR', station: 'MRW1', date: '20271124', time: '1000' },
        { accession: 'W-C', name: 'OTHER^CARL', patientId: 'WP3', modality: 'CT', station: 'CTW1', date: '20271125', time: '0800' },
        { accession: 'W-D', name: 'WLTEST^DORA', patientId: 'WP4', modality: 'CT', station: 'CTW2', date: '20271126', time: '1400' },
        { accession: 'W-E', name: 'MÜLLER^JÖRG', patientId: 'WP5', modality: 'CT', station: 'CTW3', date: '20271127', time: '0700' },
      ];
      for (const s of specs) {
        const res = await post(worklistBody({ ...s, stepId: `S-${s.accession}`, description: `STEP ${s.accession}` }));
        assert.equal(res.status, 201, res.body.toString());
        items[s.accession] = res.json();
      }
      const cancelled = await post(worklistBody({ accession: 'W-X', name: 'WLTEST^XAVER', patientId: 'WP9', station: 'CTW1', date: '20271124' }));
      await http(`${server.httpUrl}/api/worklist/${cancelled.json().id}`, { method: 'DELETE', token: ris });
    });

    const accessions = async (top: Record<string, string>, sps: Record<string, string>) => {
      const res = await findscuWorklist(server.dimsePort, await mwlQueryFile(query(top, sps)));
      assert.equal(res.code, 0, res.stdout + res.stderr);
      return res.matches.map((m) => m.AccessionNumber).sort();
    };

    it('matches on Scheduled Station AE Title, leaving out the cancelled item', async () => {
      assert.deepEqual(await accessions({}, { '(0040,0001) AE': 'CTW1' }), ['W-A', 'W-C']);
    });

    it('matches on Modality', async () => {
      assert.deepEqual(await accessions({ '(0010,0020) LO': 'WP*' }, { '(0008,0060) CS': 'MR' }), ['W-B']);
    });

    it('matches a start date range, a single date, and a combined date-time range', async () => {
      assert.deepEqual(await accessions({}, { '(0040,0002) DA': '20271124-20271125' }), ['W-A', 'W-B', 'W-C']);
      assert.deepEqual(await accessions({}, { '(0040,0002) DA': '20271126' }), ['W-D']);
      assert.deepEqual(await accessions({}, { '(0040,0002) DA': '20271124-20271125', '(0040,0003) TM': '0930-0830' }), ['W-B', 'W-C']);
    });

    it('matches a patient name wildcard, case-insensitively', async () => {
      assert.deepEqual(await accessions({ '(0010,0010) PN': 'wltest^*' }, {}), ['W-A', 'W-B', 'W-D']);
      assert.deepEqual(await accessions({ '(0010,0010) PN': 'WLTEST^?NNA' }, {}), ['W-A']);
    });

    it('returns the requested keys with the Scheduled Procedure Step Sequence content of the matching step', async () => {
      const res = await findscuWorklist(server.dimsePort, await mwlQueryFile(query({ '(0008,0050) SH': 'W-A', '(0008,1080) LO': '' }, { '(0040,0010) SH': '' })));
      assert.equal(res.matches.length, 1, res.stdout + res.stderr);
      const [m] = res.matches;
      assert.equal(personName(m.PatientName), 'WLTEST^ANNA');
      assert.equal(m.PatientID, 'WP1');
      assert.equal(m.StudyInstanceUID, items['W-A'].studyInstanceUid);
      assert.equal(m.RequestedProcedureID, 'RP-W-A');
      assert.equal(m.RequestedProcedureDescription, 'CT CHEST');
      assert.equal(m.PatientBirthDate, undefined, 'not requested, not returned');
      assert.ok('AdmittingDiagnosesDescription' in m, 'a requested key we do not hold comes back empty');
      assert.equal(m.ScheduledProcedureStepSequence.length, 1);
      const step = m.ScheduledProcedureStepSequence[0];
      assert.equal(step.ScheduledStationAETitle, 'CTW1');
      assert.equal(step.ScheduledProcedureStepStartDate, '20271124');
      assert.equal(step.ScheduledProcedureStepStartTime, '0900');
      assert.equal(step.Modality, 'CT');
      assert.equal(step.ScheduledProcedureStepDescription, 'STEP W-A');
      assert.equal(step.ScheduledProcedureStepID, 'S-W-A');
      assert.equal(step.ScheduledStationName, '', 'requested, not held: empty');
      assert.deepEqual(step.ScheduledProtocolCodeSequence.map((c: any) => [c.CodeValue, c.CodingSchemeDesignator, c.CodeMeaning]), [['P1', 'L', 'Chest routine']]);
    });

    it('decodes a Latin-1 (ISO_IR 100) query and answers the name in UTF-8 (ISO_IR 192)', async () => {
      const lines = query({ '(0008,0005) CS': 'ISO_IR 100', '(0010,0010) PN': 'MÜLLER*' }, {});
      const res = await findscuWorklist(server.dimsePort, await mwlQueryFile(lines, 'latin1'));
      assert.deepEqual(res.matches.map((m) => m.AccessionNumber), ['W-E'], res.stdout + res.stderr);
      assert.equal(res.matches[0].SpecificCharacterSet, 'ISO_IR 192');
      assert.equal(personName(res.matches[0].PatientName), 'MÜLLER^JÖRG');
    });

    it('answers a malformed date range with a failure status, not a dropped association', async () => {
      const res = await findscuWorklist(server.dimsePort, await mwlQueryFile(query({}, { '(0040,0002) DA': '2027-11-24' })));
      assert.equal(res.matches.length, 0);
      // DCMTK names every A9xx status by its class (0xA900 Identifier does not match SOP Class, PS3.4 C.4.1.1.4).
      assert.match(res.stdout + res.stderr, /Received Final Find Response \(Error: DataSetDoesNotMatchSOPClass\)/);
    });
  });
});
