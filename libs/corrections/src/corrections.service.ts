import { Injectable, Logger } from '@nestjs/common';
import { AuditAction, AuditOutcome, AuditService } from '@pacs/audit';
import { DicomParseError, Tag } from '@pacs/dicom';
import { DomainError } from '@pacs/errors';
import { AttributeOverrides, differsFrom, IngestService, NotFoundError, overrideElements, OverrideScope, OverridesRepository } from '@pacs/index';
import { correctionValues, patientValues, studyValues, touchesPatient } from './correction-values';
import type { CorrectStudyDto } from './dto/correction.dto';

export interface CorrectionResult {
  studyUids: string[];
  instancesRewritten: number;
  studiesRemoved?: string[];
}

/** Who asks, for the ingest source and the audit event: a user, or a system (an HL7 sender, MSH-3^MSH-4). */
export interface Requester {
  username: string;
  ip?: string;
  actorType?: 'user' | 'system';
}

export interface PatientKey {
  id: string;
  issuer?: string;
}

/** Instances listed per round while looking for those to rewrite. */
const PAGE = 200;
/** Rounds over a scope; one suffices unless a rewrite failed (a blob replaced meanwhile). */
const MAX_PASSES = 4;

/**
 * Corrections of a study's patient and study attributes, patient merges and series moves
 * (issue 32). Each records its values as overrides first (OverridesRepository.record, under
 * the studies' row locks), then rewrites every instance still carrying other values, one at a
 * time through IngestService.rewriteStored, until none is left. Stores that race with it
 * coerce their instances themselves (libs/index README, "Corrections").
 */
@Injectable()
export class CorrectionsService {
  private readonly log = new Logger('Corrections');

  constructor(
    private readonly index: OverridesRepository,
    private readonly ingest: IngestService,
    private readonly audit: AuditService,
  ) {}

  async correctStudy(studyUid: string, body: CorrectStudyDto, by: Requester): Promise<CorrectionResult> {
    const values = correctionValues(body);
    const before = await this.index.study(studyUid);
    if (!before) throw new NotFoundError(`study ${studyUid} not found`);
    const after = { id: values[Tag.PatientID] ?? before.patient.id, issuer: values[Tag.IssuerOfPatientID] ?? before.patient.issuer };
    // PS3.15 A.5.3.9 Patient Record (Update) when patient attributes changed, else A.5.3.3 DICOM Instances Accessed (Update).
    const event = {
      action: touchesPatient(values) ? AuditAction.PatientRecord : AuditAction.InstancesAccessed,
      patientId: after.id,
      studyUids: [studyUid],
      details: {
        operation: 'correct-study',
        attributes: Object.keys(values),
        old: { patientId: before.patient.id, issuer: before.patient.issuer, accessionNumber: before.study.accessionNumber },
        new: { patientId: after.id, issuer: after.issuer, accessionNumber: values[Tag.AccessionNumber] ?? before.study.accessionNumber },
      },
    };
    return this.audited(by, event, async (progress) => {
      progress.rewritten += await this.apply([studyUid], { studyUid }, values, by);
      await this.index.tidy([studyUid], [before.patient]);
      return { studyUids: [studyUid], instancesRewritten: progress.rewritten };
    });
  }

  /** Every study of `from` gets `to`'s patient attributes; `from` then has no study and goes. */
  async mergePatients(from: PatientKey, to: PatientKey, by: Requester): Promise<CorrectionResult> {
    const source = { id: from.id, issuer: from.issuer ?? '' };
    const target = { id: to.id, issuer: to.issuer ?? '' };
    if (source.id === target.id && source.issuer === target.issuer) throw new DomainError('correction-conflict', 'a patient cannot be merged into itself');
    const targetStudies = await this.index.patientStudies(target.id, target.issuer);
    if (!targetStudies?.length) throw new NotFoundError(`patient ${describe(target)} (to) not found`);
    const studies = await this.index.patientStudies(source.id, source.issuer);
    if (!studies) throw new NotFoundError(`patient ${describe(source)} (from) not found`);
    const values = patientValues(targetStudies[0].patient);
    const studyUids = studies.map((s) => s.studyUid);
    const event = {
      action: AuditAction.PatientRecord,
      patientId: target.id,
      studyUids,
      details: { operation: 'merge-patients', old: { patientId: source.id, issuer: source.issuer }, new: { patientId: target.id, issuer: target.issuer } },
    };
    return this.audited(by, event, async (progress) => {
      for (const uid of studyUids) progress.rewritten += await this.apply([uid], { studyUid: uid }, values, by);
      await this.index.tidy(studyUids, [source]);
      return { studyUids, instancesRewritten: progress.rewritten };
    });
  }

  /** The series' instances get the target study's UID, study and patient attributes; an emptied study goes. */
  async moveSeries(seriesUid: string, toStudyUid: string, by: Requester): Promise<CorrectionResult> {
    const fromStudyUid = await this.index.seriesStudy(seriesUid);
    if (!fromStudyUid) throw new NotFoundError(`series ${seriesUid} not found`);
    if (fromStudyUid === toStudyUid) throw new DomainError('correction-conflict', `series ${seriesUid} is already in study ${toStudyUid}`);
    const [from, target] = await Promise.all([this.index.study(fromStudyUid), this.index.study(toStudyUid)]);
    if (!target) throw new NotFoundError(`study ${toStudyUid} not found`);
    // PS3.15 A.5.3.3 DICOM Instances Accessed (Update), naming both studies.
    const event = {
      action: AuditAction.InstancesAccessed,
      patientId: target.patient.id,
      studyUids: [fromStudyUid, toStudyUid],
      details: {
        operation: 'move-series',
        seriesUid,
        old: { studyUid: fromStudyUid, patientId: from?.patient.id ?? null, issuer: from?.patient.issuer ?? null },
        new: { studyUid: toStudyUid, patientId: target.patient.id, issuer: target.patient.issuer },
      },
    };
    return this.audited(by, event, async (progress) => {
      progress.rewritten += await this.apply([fromStudyUid, toStudyUid], { studyUid: fromStudyUid, seriesUid }, studyValues(target), by);
      const studiesRemoved = await this.index.tidy([fromStudyUid, toStudyUid], from ? [from.patient] : []);
      return { studyUids: [fromStudyUid, toStudyUid], instancesRewritten: progress.rewritten, studiesRemoved };
    });
  }

  /** Records the overrides, then rewrites until no instance of the scope carries other values. */
  private async apply(lockStudyUids: string[], scope: OverrideScope, values: AttributeOverrides, by: Requester): Promise<number> {
    if (!(await this.index.record(lockStudyUids, scope.seriesUid ?? scope.studyUid, values))) {
      throw new NotFoundError(`study ${lockStudyUids.join(', ')} not found`);
    }
    let rewritten = 0;
    for (let pass = 1; ; pass++) {
      const round = await this.rewritePass(scope, values, by);
      rewritten += round.rewritten;
      if (round.failed === 0 && round.rewritten === 0) return rewritten;
      if (pass === MAX_PASSES) {
        throw new DomainError('processing-failure', `${round.failed} instance(s) could not be rewritten; the correction is recorded: send it again`);
      }
    }
  }

  private async rewritePass(scope: OverrideScope, values: AttributeOverrides, by: Requester): Promise<{ rewritten: number; failed: number }> {
    const elements = overrideElements(values);
    const counts = { rewritten: 0, failed: 0 };
    for (let after = '0'; ; ) {
      const page = await this.index.instances(scope, after, PAGE);
      if (page.length === 0) return counts;
      after = page[page.length - 1].id;
      for (const instance of page.filter((i) => differsFrom(i.values, values))) {
        try {
          await this.ingest.rewriteStored(instance.blobKey, elements, { channel: 'correction', actor: by.username, remoteAddress: by.ip });
          counts.rewritten++;
        } catch (err) {
          // A value this instance's character set cannot carry: no later pass would do better.
          if (err instanceof DicomParseError) throw new DomainError('invalid-correction', `instance ${instance.sopInstanceUid}: ${err.message}`);
          counts.failed++;
          this.log.warn({ sopInstanceUid: instance.sopInstanceUid, err: (err as Error).message }, 'instance not rewritten in this pass');
        }
      }
    }
  }

  /**
   * Runs a change and records its one audit event, also when it fails part way (instances
   * already rewritten are a change to stored data): outcome Serious Failure then (PS3.15 A.5.1).
   */
  private async audited(by: Requester, event: AuditedChange, work: (progress: { rewritten: number }) => Promise<CorrectionResult>): Promise<CorrectionResult> {
    const progress = { rewritten: 0 };
    const record = (outcome: number) =>
      this.audit.record({
        actor: by.username,
        actorType: by.actorType ?? 'user',
        sourceAddress: by.ip ?? null,
        action: event.action,
        actionCode: 'U',
        outcome,
        patientId: event.patientId,
        studyUids: event.studyUids,
        details: { ...event.details, instancesRewritten: progress.rewritten },
      });
    let result: CorrectionResult;
    try {
      result = await work(progress);
    } catch (err) {
      await record(AuditOutcome.SeriousFailure).catch((e: Error) => this.log.error({ err: e.message }, 'audit event of a failed correction not recorded'));
      throw err;
    }
    await record(AuditOutcome.Success);
    return result;
  }
}

interface AuditedChange {
  action: string;
  patientId: string;
  studyUids: string[];
  details: Record<string, unknown>;
}

function describe(p: { id: string; issuer: string }): string {
  return p.issuer ? `${p.id} (issuer ${p.issuer})` : p.id;
}
