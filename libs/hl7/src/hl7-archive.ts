import { Injectable, Logger } from '@nestjs/common';
import { CorrectionsService, PatientKey, Requester } from '@pacs/corrections';
import { DomainError } from '@pacs/errors';
import { NotFoundError, OverridesRepository, StudyRecord } from '@pacs/index';

/** The PID's patient: identity and the demographics the message carries (absent: unchanged). */
export interface AdtPatient {
  id: string;
  issuer?: string;
  name: string;
  birthDate?: string;
  sex?: string;
}

/** What the archive side of an ADT message did. */
export interface ArchiveOutcome {
  /** merge: POST /api/patients/merge; correct: PATCH /api/studies/{s} per study; none: no stored study concerned. */
  operation: 'merge' | 'correct' | 'none';
  studyUids: string[];
  instancesRewritten: number;
  /** The study (none for a merge) whose correction failed, and why; the others are applied. */
  failures: { studyUid?: string; error: unknown }[];
}

/** No stored study concerned. */
export const nothing = (): ArchiveOutcome => ({ operation: 'none', studyUids: [], instancesRewritten: 0, failures: [] });

type PatientCorrection = NonNullable<Parameters<CorrectionsService['correctStudy']>[1]['patient']>;

/**
 * ADT applied to the stored studies through the corrections (libs/corrections): the same
 * overrides, rewrite, race-safety and audit events as PATCH /api/studies/{s} and
 * POST /api/patients/merge. A patient is its Patient ID and Issuer of Patient ID (PID-3.1,
 * PID-3.4; none when absent), as the index and the worklist key it.
 */
@Injectable()
export class Hl7ArchivePatients {
  private readonly log = new Logger('Hl7');

  constructor(
    private readonly index: OverridesRepository,
    private readonly corrections: CorrectionsService,
  ) {}

  /** A08: every stored study of the patient takes the PID's name, and birth date and sex when present. */
  async update(patient: AdtPatient, by: Requester): Promise<ArchiveOutcome> {
    const studies = (await this.index.patientStudies(patient.id, patient.issuer ?? '')) ?? [];
    // Every study, even when the patient row already shows these values: that row holds the
    // latest instance's, and an older study's instances may still carry others.
    return this.correctEach(studies, demographics(patient), by);
  }

  /**
   * A40: the prior patient's studies go to the surviving one (none when MRG-1 is PID-3). The
   * merge takes identity and demographics from the surviving patient's stored studies; when it
   * has none yet, each study is corrected to the PID's identity and demographics instead (the
   * result is the same patient).
   */
  async merge(prior: PatientKey, patient: AdtPatient, by: Requester): Promise<ArchiveOutcome> {
    const from = { id: prior.id, issuer: prior.issuer ?? '' };
    const to = { id: patient.id, issuer: patient.issuer ?? '' };
    const studies = from.id === to.id && from.issuer === to.issuer ? [] : ((await this.index.patientStudies(from.id, from.issuer)) ?? []);
    if (studies.length === 0) return nothing();
    if (!(await this.index.patientStudies(to.id, to.issuer))?.length) {
      return this.correctEach(studies, { id: to.id, issuerOfPatientId: to.issuer, ...demographics(patient) }, by);
    }
    try {
      const result = await this.corrections.mergePatients(from, to, by);
      return { operation: 'merge', studyUids: result.studyUids, instancesRewritten: result.instancesRewritten, failures: [] };
    } catch (error) {
      this.logFailure(error, { priorPatientId: from.id, patientId: to.id });
      return { operation: 'merge', studyUids: [], instancesRewritten: 0, failures: [{ error }] };
    }
  }

  /** One correction per study; a failure does not stop the others (each is complete on its own). */
  private async correctEach(studies: StudyRecord[], patient: PatientCorrection, by: Requester): Promise<ArchiveOutcome> {
    const outcome: ArchiveOutcome = { operation: studies.length ? 'correct' : 'none', studyUids: [], instancesRewritten: 0, failures: [] };
    for (const { studyUid } of studies) {
      try {
        const result = await this.corrections.correctStudy(studyUid, { patient }, by);
        outcome.studyUids.push(studyUid);
        outcome.instancesRewritten += result.instancesRewritten;
      } catch (error) {
        if (error instanceof NotFoundError) continue; // deleted meanwhile: nothing left to correct
        this.logFailure(error, { studyUid });
        outcome.failures.push({ studyUid, error });
      }
    }
    return outcome;
  }

  private logFailure(error: unknown, context: Record<string, string>): void {
    const expected = error instanceof DomainError;
    this.log[expected ? 'warn' : 'error']({ msg: 'ADT not applied to stored study', ...context, err: String(error), stack: expected ? undefined : (error as Error).stack });
  }
}

/** The correction's patient attributes: the name always (PID-5 is required), the others when sent. */
function demographics(p: AdtPatient): PatientCorrection {
  return { name: p.name, ...(p.birthDate !== undefined ? { birthDate: p.birthDate } : {}), ...(p.sex !== undefined ? { sex: p.sex } : {}) };
}
