// WorklistService on a real PostgreSQL with its real repository (medium tier): what the RIS and
// the modalities see of worklist items as they are scheduled, found, started, finished or cancelled.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newMediumService, MediumService } from '../../../test/support/medium';
import { worklistBody } from '../../../test/support/worklist';
import type { WorklistItemDto } from './dto/worklist-item.dto';
import { WorklistItemEntity, WorklistStepEntity } from './worklist-item.entity';
import { DomainError } from '@pacs/errors';
import { WorklistRepository } from './worklist.repository';
import { WorklistService } from './worklist.service';

const item = (o: Parameters<typeof worklistBody>[0]) => worklistBody(o) as unknown as WorklistItemDto;
const isError = (code: string) => (err: unknown) => err instanceof DomainError && err.code === code;

describe('worklist items (medium: real PostgreSQL)', () => {
  let medium: MediumService<WorklistService>;
  let worklist: WorklistService;
  const count = async (table: string) => Number((await medium.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n);

  before(async () => {
    medium = await newMediumService(WorklistService, { providers: [WorklistRepository], entities: [WorklistItemEntity, WorklistStepEntity] });
    worklist = medium.sut;
  });

  after(() => medium?.close());

  it('lists a scheduled exam for its modality, station, date and patient, and not for others', async () => {
    const ct = await worklist.create(item({ accession: 'WL-Q1', patientId: 'PQ', modality: 'CT', station: 'CT1', date: '20261124' }), 'ris');
    await worklist.create(item({ accession: 'WL-Q2', patientId: 'PQ', modality: 'MR', station: 'MR1', date: '20261125' }), 'ris');
    assert.equal(ct.status, 'SCHEDULED');
    assert.match(ct.studyInstanceUid, /^2\.25\.\d+$/, 'the PACS makes the Study Instance UID the RIS left out');
    const accessions = async (filter: Parameters<WorklistService['list']>[0]) => (await worklist.list({ patientId: 'PQ', ...filter })).items.map((i) => i.accessionNumber).sort();
    assert.deepEqual(await accessions({}), ['WL-Q1', 'WL-Q2']);
    assert.deepEqual(await accessions({ modality: 'CT' }), ['WL-Q1']);
    assert.deepEqual(await accessions({ stationAeTitle: 'MR1' }), ['WL-Q2']);
    assert.deepEqual(await accessions({ dateFrom: '20261125', dateTo: '20261130' }), ['WL-Q2']);
    assert.deepEqual(await accessions({ patientId: 'OTHER' }), []);
    assert.deepEqual(await worklist.get(ct.id), ct);
  });

  it('refuses a second item with a taken accession number or Study Instance UID and stores nothing of it', async () => {
    const first = await worklist.create(item({ accession: 'WL-C1' }), 'ris');
    const before = { items: await count('worklist_items'), steps: await count('worklist_steps') };
    await assert.rejects(worklist.create(item({ accession: 'WL-C1' }), 'ris'), isError('worklist-conflict'));
    await assert.rejects(worklist.create(item({ accession: 'WL-C2', studyUid: first.studyInstanceUid }), 'ris'), isError('worklist-conflict'));
    const twoStepsOneId = item({ accession: 'WL-C3' });
    twoStepsOneId.scheduledSteps.push({ ...twoStepsOneId.scheduledSteps[0] });
    await assert.rejects(worklist.create(twoStepsOneId, 'ris'), isError('invalid-worklist-item'));
    assert.deepEqual({ items: await count('worklist_items'), steps: await count('worklist_steps') }, before);
  });

  it('follows the modality: IN PROGRESS once started, COMPLETED once done, then closed to the RIS', async () => {
    const scheduled = await worklist.create(item({ accession: 'WL-S1', stepId: 'SPS1' }), 'ris');
    await worklist.procedureStepStatus(scheduled.id, 'SPS1', 'IN PROGRESS', 'CT1');
    const started = await worklist.get(scheduled.id);
    assert.equal(started.status, 'IN PROGRESS');
    assert.equal(started.scheduledSteps[0].status, 'IN PROGRESS');
    await assert.rejects(worklist.replace(scheduled.id, item({ accession: 'WL-S1', description: 'changed' }), 'ris'), isError('worklist-conflict'));
    await worklist.procedureStepStatus(scheduled.id, 'SPS1', 'COMPLETED', 'CT1');
    assert.equal((await worklist.get(scheduled.id)).status, 'COMPLETED');
    await worklist.procedureStepStatus(scheduled.id, 'SPS1', 'IN PROGRESS', 'CT1');
    assert.equal((await worklist.get(scheduled.id)).status, 'COMPLETED', 'a finished step never moves back');
    await assert.rejects(worklist.cancel(scheduled.id, 'ris'), isError('worklist-conflict'));
    assert.deepEqual((await worklist.list({ accessionNumber: 'WL-S1', status: 'COMPLETED' })).items.map((i) => i.id), [scheduled.id]);
  });

  it('lets the RIS rewrite a scheduled item in place, keeping its Study Instance UID', async () => {
    const scheduled = await worklist.create(item({ accession: 'WL-R1', modality: 'CT' }), 'ris');
    const replaced = await worklist.replace(scheduled.id, item({ accession: 'WL-R1', modality: 'MR', station: 'MR1' }), 'ris');
    assert.equal(replaced.id, scheduled.id);
    assert.equal(replaced.studyInstanceUid, scheduled.studyInstanceUid);
    assert.deepEqual(replaced.scheduledSteps.map((s) => [s.modality, s.stationAeTitle, s.status]), [['MR', 'MR1', 'SCHEDULED']]);
    await assert.rejects(worklist.replace('999999', item({ accession: 'WL-R2' }), 'ris'), isError('worklist-item-not-found'));
  });

  it('matches a procedure step by accession and step ID before the study UID, and never a cancelled item', async () => {
    const byStudy = await worklist.create(item({ accession: 'WL-M1', stepId: 'SPS1' }), 'ris');
    const byStep = await worklist.create(item({ accession: 'WL-M2', stepId: 'SPS7' }), 'ris');
    const found = await worklist.findForProcedureStep({ studyUid: byStudy.studyInstanceUid, accessionNumber: 'WL-M2', scheduledStepId: 'SPS7' });
    assert.equal(found?.id, byStep.id, 'the step ID with its accession wins over a modality-made study UID');
    assert.equal((await worklist.findForProcedureStep({ studyUid: byStudy.studyInstanceUid }))?.id, byStudy.id);
    const cancelled = await worklist.cancel(byStudy.id, 'ris');
    assert.equal(cancelled.status, 'CANCELLED');
    assert.deepEqual(cancelled.scheduledSteps.map((s) => s.status), ['CANCELLED']);
    assert.equal(await worklist.findForProcedureStep({ studyUid: byStudy.studyInstanceUid }), null);
    assert.equal((await worklist.cancel(byStudy.id, 'ris')).status, 'CANCELLED', 'cancelling twice is harmless');
  });
  it('finds an order by accession and requested procedure, and corrects and merges its patient', async () => {
    const a = await worklist.create(item({ accession: 'WL-O1', patientId: 'PO-OLD', name: 'ROE^RICH' }), 'ris');
    const b = await worklist.create(item({ accession: 'WL-O2', patientId: 'PO-NEW', name: 'ROE^RICHARD' }), 'ris');
    assert.equal((await worklist.findByOrder('WL-O1', 'RP-WL-O1'))?.id, a.id);
    assert.equal(await worklist.findByOrder('WL-O1', 'RP-OTHER'), null, 'another requested procedure of that accession is another order');
    const corrected = await worklist.correctPatient({ id: 'PO-NEW', issuer: '' }, { id: 'PO-NEW', name: 'ROE^RICHARD^J', sex: 'M' }, 'hl7');
    assert.deepEqual(corrected.map((v) => [v.id, v.patient.name, v.patient.sex, v.patient.birthDate]), [[b.id, 'ROE^RICHARD^J', 'M', '19800101']]);
    const merged = await worklist.correctPatient({ id: 'PO-OLD', issuer: 'HOSP' }, { id: 'PO-NEW', issuer: 'HOSP', name: 'ROE^RICHARD^J' }, 'hl7');
    assert.deepEqual(merged.map((v) => [v.id, v.patient.id, v.patient.issuer, v.patient.name]), [[a.id, 'PO-NEW', 'HOSP', 'ROE^RICHARD^J']]);
    assert.deepEqual((await worklist.list({ patientId: 'PO-OLD' })).items, [], 'no item is left under the prior Patient ID');
  });
});
