// MppsService on a real PostgreSQL (medium tier) with the real index beside it and a fake
// worklist: N-CREATE and N-SET as a modality sends them (PS3.4 F.7.2), what the procedure step,
// its worklist item and the study's completeness become.
import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DimseFailure } from '@pacs/dimse';
import { IndexModule, IngestService, StudyStatusRepository } from '@pacs/index';
import { BlobStore } from '@pacs/storage';
import { WorklistService } from '@pacs/worklist';
import { buildInstance, newUid } from '../../../test/support/generator';
import { newMediumService, MediumService } from '../../../test/support/medium';
import { finish, inProgress } from '../../../test/support/mpps';
import { MppsRepository } from './mpps.repository';
import { MppsService } from './mpps.service';
import { ProcedureStepEntity, StudyCompletenessEntity } from './procedure-step.entity';
import { StudyCompletenessService } from './study-completeness.service';

const CALLER = { callingAe: 'CT1', remoteAddress: '127.0.0.1' };
const status = (expected: number) => (err: unknown) => err instanceof DimseFailure && err.status === expected;

/**
 * The worklist as MPPS sees it: items found by Study Instance UID, status changes recorded. Each
 * item is a bare worklist_items row, which the procedure step's foreign key needs.
 */
class FakeWorklist {
  private readonly items = new Map<string, string>();
  readonly changes: string[] = [];
  sql!: MediumService<MppsService>['sql'];

  async schedule(studyUid: string): Promise<string> {
    const [{ id }] = await this.sql<{ id: string }>(
      `INSERT INTO worklist_items (patient_name, patient_id, accession_number, requested_procedure_id, study_uid)
       VALUES ('DOE^JANE', 'P1', $1, 'RP1', $1) RETURNING id`,
      [studyUid],
    );
    this.items.set(studyUid, id);
    return id;
  }

  async findForProcedureStep(ids: { studyUid: string }) {
    const id = this.items.get(ids.studyUid);
    return id ? { id } : null;
  }

  async procedureStepStatus(itemId: string, stepId: string | undefined, status: string): Promise<void> {
    this.changes.push(`${itemId}/${stepId ?? ''}: ${status}`);
  }
}

describe('modality performed procedure steps (medium: real PostgreSQL)', () => {
  let medium: MediumService<MppsService>;
  let mpps: MppsService;
  const worklist = new FakeWorklist();

  const step = async (uid: string) =>
    (await medium.sql<{ status: string; worklist_item_id: string | null }>('SELECT status, worklist_item_id FROM procedure_steps WHERE sop_instance_uid = $1', [uid]))[0];
  const store = async (instance: { bytes: Buffer }) => {
    const writer = medium.get(BlobStore).createTemp();
    writer.write(instance.bytes);
    await medium.get(IngestService).ingest(await writer.finish(), { channel: 'import' });
  };
  /** A study of two images whose COMPLETED step names both, with the first stored. */
  const completedStepAwaitingOneImage = async () => {
    const studyUid = newUid();
    const seriesUid = newUid();
    const images = [1, 2].map((n) => buildInstance({ studyUid, seriesUid, instanceNumber: n, rows: 4 }));
    await store(images[0]);
    const uid = newUid();
    await mpps.create(uid, inProgress(studyUid, ''), CALLER);
    await mpps.set(uid, finish('COMPLETED', [{ seriesUid, sopUids: images.map((i) => i.sopInstanceUid) }]), CALLER);
    return { studyUid, lastImage: images[1] };
  };
  const complete = async (studyUid: string) =>
    (await medium.sql<{ complete: boolean }>('SELECT complete FROM study_completeness WHERE study_uid = $1', [studyUid]))[0]?.complete ?? false;

  before(async () => {
    medium = await newMediumService(MppsService, {
      providers: [MppsRepository, StudyCompletenessService],
      entities: [ProcedureStepEntity, StudyCompletenessEntity],
      imports: [IndexModule],
      fakes: [{ provide: WorklistService, useValue: worklist }],
    });
    mpps = medium.sut;
    worklist.sql = medium.sql;
  });

  after(() => medium?.close());

  it('links a scheduled exam to its worklist item, which follows the step to IN PROGRESS, then COMPLETED', async () => {
    const studyUid = newUid();
    const item = await worklist.schedule(studyUid);
    const uid = newUid();
    await mpps.create(uid, inProgress(studyUid, 'SPS1', undefined, 'MP-1'), CALLER);
    assert.deepEqual(await step(uid), { status: 'IN PROGRESS', worklist_item_id: item });
    await mpps.set(uid, finish('COMPLETED', []), CALLER);
    assert.deepEqual(await step(uid), { status: 'COMPLETED', worklist_item_id: item });
    assert.deepEqual(worklist.changes.filter((c) => c.startsWith(`${item}/`)), [`${item}/SPS1: IN PROGRESS`, `${item}/SPS1: COMPLETED`]);
  });

  it('keeps an unscheduled step unlinked, and links it when its worklist item arrives before the final N-SET', async () => {
    const studyUid = newUid();
    const uid = newUid();
    await mpps.create(uid, inProgress(studyUid, ''), CALLER);
    assert.deepEqual(await step(uid), { status: 'IN PROGRESS', worklist_item_id: null });
    const item = await worklist.schedule(studyUid);
    await mpps.set(uid, finish('DISCONTINUED', []), CALLER);
    assert.deepEqual(await step(uid), { status: 'DISCONTINUED', worklist_item_id: item });
    assert.deepEqual(worklist.changes.filter((c) => c.startsWith(`${item}/`)), [`${item}/: DISCONTINUED`]);
  });

  it('answers a repeated N-CREATE, an unknown step, an N-SET after the end and an incomplete N-CREATE with their statuses, changing nothing', async () => {
    const studyUid = newUid();
    const uid = newUid();
    await mpps.create(uid, inProgress(studyUid, ''), CALLER);
    await assert.rejects(mpps.create(uid, inProgress(studyUid, ''), CALLER), status(0x0111));
    await assert.rejects(mpps.set(newUid(), finish('COMPLETED', []), CALLER), status(0x0112));
    const missingModality = newUid();
    await assert.rejects(mpps.create(missingModality, inProgress(studyUid, '', (a) => delete a.Modality), CALLER), status(0x0120));
    assert.equal(await step(missingModality), undefined);
    await mpps.set(uid, finish('COMPLETED', []), CALLER);
    await assert.rejects(mpps.set(uid, finish('DISCONTINUED', []), CALLER), status(0xc310));
    assert.equal((await step(uid)).status, 'COMPLETED');
  });

  it('completes the study once every image the COMPLETED step names is stored, whichever comes last', async () => {
    const { studyUid, lastImage } = await completedStepAwaitingOneImage();
    assert.equal(await complete(studyUid), false, 'one image is still missing');
    await store(lastImage);
    for (let i = 0; i < 50 && !(await complete(studyUid)); i++) await sleep(50);
    assert.equal(await complete(studyUid), true);
  });

  it('lets another node find a study complete when the node that stored its last image died before looking', async () => {
    // The other node: same database, hears nothing of this node's stores; its sweep is the only look.
    const other = new StudyCompletenessService(medium.get(MppsRepository), medium.get(IngestService), medium.get(StudyStatusRepository));
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      await other.onApplicationBootstrap();
      const { studyUid, lastImage } = await completedStepAwaitingOneImage();
      await store(lastImage);
      medium.get(StudyCompletenessService).onModuleDestroy(); // dies before its look
      await sleep(400);
      assert.equal(await complete(studyUid), false, 'nobody has looked yet');
      mock.timers.tick(60_000);
      for (let i = 0; i < 50 && !(await complete(studyUid)); i++) await sleep(50);
      assert.equal(await complete(studyUid), true, "the other node's sweep found it");
    } finally {
      other.onModuleDestroy();
      mock.timers.reset();
    }
  });
});
