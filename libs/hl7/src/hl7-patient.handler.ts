import { Injectable, Logger } from '@nestjs/common';
import type { Requester } from '@pacs/corrections';
import { DomainError } from '@pacs/errors';
import { PatientDto, WorklistService } from '@pacs/worklist';
import { ArchiveOutcome, Hl7ArchivePatients, nothing } from './hl7-archive';
import { ErrLocation, Hl7Error, Hl7ErrorCode, missing } from './hl7-errors';
import { Hl7Input, patientOf, required, value } from './hl7-fields';
import { checkText, validated } from './hl7-validation';
import type { Hl7Outcome } from './hl7-worklist.handler';

/**
 * ADT from the RIS (IHE RAD-12 Patient Update), applied to the worklist and then to the stored
 * studies: A08 (update patient information, HL7 v2.5 3.3.8) gives the patient's items and
 * studies the PID's name, birth date and sex; A40 (merge patient, 3.3.40) moves the items and
 * studies of the prior patient (MRG-1) to the PID's patient.
 */
@Injectable()
export class Hl7PatientHandler {
  private readonly log = new Logger('Hl7');

  constructor(
    private readonly worklist: WorklistService,
    private readonly archive: Hl7ArchivePatients,
  ) {}

  async patient(input: Hl7Input, event: 'A08' | 'A40', by: Requester): Promise<Hl7Outcome> {
    const d = input.delimiters;
    const { patient, sources } = patientOf(required(input, 'PID'), d);
    const dto = await validated(PatientDto, patient, sources);
    let prior = { id: dto.id, issuer: dto.issuer ?? '' };
    const at: ErrLocation = event === 'A40' ? { segment: 'MRG', field: 1, component: 1 } : { segment: 'PID', field: 3, component: 1 };
    if (event === 'A40') {
      const mrg = required(input, 'MRG');
      prior = { id: value(mrg, d, 1, 1), issuer: value(mrg, d, 1, 4, 0) };
      if (!prior.id) throw missing(at, 'MRG-1 Prior Patient Identifier List');
      checkText(prior.id, at);
    }
    const items = await this.worklist.correctPatient(prior, dto, by.username);
    const stored = await this.stored(event, prior, dto, by);
    const details = {
      event,
      items: items.length,
      ...(event === 'A40' ? { priorPatientId: prior.id } : {}),
      studies: { operation: stored.operation, corrected: stored.studyUids.length, failed: stored.failures.length, instancesRewritten: stored.instancesRewritten },
    };
    const studyUids = [...new Set([...items.map((i) => i.studyInstanceUid), ...stored.studyUids, ...stored.failures.flatMap((f) => f.studyUid ?? [])])];
    return { actionCode: 'U', patientId: dto.id, studyUids, details, error: failureOf(stored, items.length, at) };
  }

  /** The archive side; a failure there (the database gone) leaves the worklist side applied, and says so. */
  private async stored(event: 'A08' | 'A40', prior: { id: string; issuer: string }, dto: PatientDto, by: Requester): Promise<ArchiveOutcome> {
    try {
      return event === 'A40' ? await this.archive.merge(prior, dto, by) : await this.archive.update(dto, by);
    } catch (error) {
      this.log.error({ msg: 'ADT not applied to the stored studies', patientId: dto.id, err: String(error), stack: (error as Error).stack });
      return { ...nothing(), failures: [{ error }] };
    }
  }
}

/**
 * AE for a message applied in part: the worklist items and the studies named as done are
 * changed, the failed ones not. 102 when a value cannot be written into the instances (their
 * character set or transfer syntax), else 207 (sending the message again completes it).
 */
function failureOf(stored: ArchiveOutcome, items: number, at: ErrLocation): Hl7Error | undefined {
  if (stored.failures.length === 0) return undefined;
  const invalid = stored.failures.every((f) => f.error instanceof DomainError && f.error.code === 'invalid-correction');
  const reasons = stored.failures.map((f) => `${f.studyUid ? `study ${f.studyUid}: ` : ''}${f.error instanceof DomainError ? f.error.message : 'internal error'}`);
  const what = {
    merge: 'the merge of the stored studies failed',
    correct: `${stored.studyUids.length} stored stud(ies) corrected, ${stored.failures.length} not`,
    none: 'the stored studies were not looked up',
  }[stored.operation];
  const text = `applied in part: ${items} worklist item(s) updated; ${what} (${reasons.join('; ')})${invalid ? '' : '; send the message again to complete it'}`;
  return new Hl7Error('AE', invalid ? Hl7ErrorCode.DataTypeError : Hl7ErrorCode.ApplicationInternalError, text, invalid ? { segment: 'PID', field: 5 } : at);
}
