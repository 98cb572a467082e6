import type { DicomJson } from '@pacs/dicom';
import { DimseStatus, dimseStatusOf, httpStatusOf } from '@pacs/errors';
import type { StoreFailureCode } from '@pacs/errors';
import type { IngestOutcome } from '@pacs/index';
import { instanceUrl, studyUrl } from './retrieve-url';

/** DICOM JSON keys of the Store Instances Response Module (PS3.18 10.5.3, Table 10.5.3-1). */
const TAG = {
  RetrieveURL: '00081190',
  FailedSOPSequence: '00081198',
  ReferencedSOPSequence: '00081199',
  ReferencedSOPClassUID: '00081150',
  ReferencedSOPInstanceUID: '00081155',
  FailureReason: '00081197',
  WarningReason: '00081196',
} as const;

interface FailedInstance {
  failure: StoreFailureCode;
  sopClassUid?: string;
  sopInstanceUid?: string;
}

/** Collects per-instance outcomes of one STOW-RS request and builds its status and body. */
export class StowResponseBuilder {
  private readonly stored: IngestOutcome[] = [];
  private readonly failed: FailedInstance[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly studyUid?: string,
  ) {}

  addStored(outcome: IngestOutcome): void {
    this.stored.push(outcome);
  }

  addFailed(failure: StoreFailureCode, uids: { sopClassUid?: string; sopInstanceUid?: string } = {}): void {
    this.failed.push({ failure, ...uids });
  }

  get storedStudyUids(): string[] {
    return [...new Set(this.stored.map((o) => o.studyUid))];
  }

  get storedCount(): number {
    return this.stored.length;
  }

  get total(): number {
    return this.stored.length + this.failed.length;
  }

  /**
   * PS3.18 10.5.3: 200 all stored, 202 some stored and some failed, 409 none stored because of
   * the request. None stored because of the server alone (full disk, broken storage) is no
   * conflict in the request: its 5xx (507 for a full disk), so the sender retries later.
   */
  get status(): number {
    if (this.failed.length === 0) return 200;
    if (this.stored.length > 0) return 202;
    const statuses = new Set(this.failed.map((f) => httpStatusOf(f.failure)));
    if ([...statuses].some((status) => status < 500)) return 409;
    return statuses.size === 1 ? [...statuses][0] : 500;
  }

  toJson(): DicomJson {
    const body: DicomJson = {};
    const study = this.studyUid ?? singleStudy(this.stored);
    if (study) body[TAG.RetrieveURL] = { vr: 'UR', Value: [studyUrl(this.baseUrl, study)] };
    if (this.failed.length > 0) body[TAG.FailedSOPSequence] = { vr: 'SQ', Value: this.failed.map(failedItem) };
    if (this.stored.length > 0) {
      body[TAG.ReferencedSOPSequence] = { vr: 'SQ', Value: this.stored.map((o) => this.referencedItem(o)) };
    }
    return body;
  }

  private referencedItem(o: IngestOutcome): DicomJson {
    return {
      [TAG.ReferencedSOPClassUID]: { vr: 'UI', Value: [o.sopClassUid] },
      [TAG.ReferencedSOPInstanceUID]: { vr: 'UI', Value: [o.sopInstanceUid] },
      [TAG.RetrieveURL]: { vr: 'UR', Value: [instanceUrl(this.baseUrl, o.studyUid, o.seriesUid, o.sopInstanceUid)] },
      // PS3.18 10.5.3: Warning Reason B000, attributes coerced (to a correction's values).
      ...(o.coerced ? { [TAG.WarningReason]: { vr: 'US', Value: [DimseStatus.CoercionOfDataElements] } } : {}),
    };
  }
}

/** PS3.18 10.5.3: the UIDs go in the item when known; Failure Reason always. */
function failedItem(f: FailedInstance): DicomJson {
  const item: DicomJson = {};
  if (f.sopClassUid) item[TAG.ReferencedSOPClassUID] = { vr: 'UI', Value: [f.sopClassUid] };
  if (f.sopInstanceUid) item[TAG.ReferencedSOPInstanceUID] = { vr: 'UI', Value: [f.sopInstanceUid] };
  item[TAG.FailureReason] = { vr: 'US', Value: [dimseStatusOf(f.failure)] };
  return item;
}

/** The study's Retrieve URL only makes sense when the request touched one study. */
function singleStudy(stored: IngestOutcome[]): string | undefined {
  const studies = new Set(stored.map((o) => o.studyUid));
  return studies.size === 1 ? stored[0].studyUid : undefined;
}
