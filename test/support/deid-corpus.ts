// A CT, an MR and an SR full of identifying data (names, IDs, dates, UIDs, free text, private
// tags at the top and inside sequences, an SR content tree), and a check of a de-identified
// copy against PS3.15 Table E.1-1 as libs/deid generated it, attribute by attribute.
import assert from 'node:assert/strict';
import { data } from 'dcmjs';
import { treatmentOf } from '../../libs/deid/src/profile-table';
import type { DeidOption } from '../../libs/deid/src/profile-table';
import { BASIC_TEXT_SR, buildInstance, BuiltInstance, InstanceSpec, newUid } from './generator';
import { encodeElement, encodeSequence, withRawElements } from './raw-elements';

export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

/** Values that identify the patient or the visit: none may be found in a de-identified file. */
export const IDENTIFYING = ['SMITH', 'JOANNA', 'PAT-77812', 'ACC-55821', 'Mercy General', 'WATSON', 'HOUSE^GREGORY', 'PRIVATE-SECRET', 'NESTED-SECRET', '19610923', 'Ward 7B'];

const code = (value: string, meaning: string) => ({ CodeValue: value, CodingSchemeDesignator: '99TEST', CodeMeaning: meaning });

function identifying(studyUid: string, seriesUid: string, extra: Record<string, unknown>): InstanceSpec {
  return {
    patientName: 'SMITH^JOANNA',
    patientId: 'PAT-77812',
    patientBirthDate: '19610923',
    patientSex: 'F',
    accessionNumber: 'ACC-55821',
    studyDescription: 'Head SMITH PAT-77812',
    seriesDescription: 'Axial ACC-55821',
    studyDate: '20240315',
    studyUid,
    seriesUid,
    extra: {
      InstitutionName: 'Mercy General',
      InstitutionAddress: 'Ward 7B, 1 Main Street',
      ReferringPhysicianName: 'WATSON^JOHN',
      PerformingPhysicianName: 'HOUSE^GREGORY',
      IssuerOfPatientID: 'MERCY',
      OtherPatientIDs: 'PAT-77812-OLD',
      PatientAddress: 'Ward 7B',
      FrameOfReferenceUID: newUid(),
      ReferencedImageSequence: [{ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.2', ReferencedSOPInstanceUID: newUid() }],
      RequestAttributesSequence: [{ RequestedProcedureID: 'RP-1', ScheduledProcedureStepID: 'SPS-1' }],
      ...extra,
    },
  };
}

/** A private block (0009,00xx) at the top level and a private tag inside a standard sequence. */
function withPrivateTags(part10: Buffer, explicit = true): Buffer {
  const nested = encodeSequence('00089215', [Buffer.concat([
    encodeElement({ tag: '00080100', vr: 'SH', value: '121311' }, explicit),
    encodeElement({ tag: '00080102', vr: 'SH', value: 'DCM ' }, explicit),
    encodeElement({ tag: '00080104', vr: 'LO', value: 'Localizer ' }, explicit),
    encodeElement({ tag: '00110010', vr: 'LO', value: 'ACME 1.0' }, explicit),
    encodeElement({ tag: '00111001', vr: 'LO', value: 'NESTED-SECRET ' }, explicit),
  ])], explicit);
  return withRawElements(
    part10,
    [
      { tag: '00090010', vr: 'LO', value: 'ACME 1.0' },
      { tag: '00091001', vr: 'LO', value: 'PRIVATE-SECRET' },
    ],
    { '00089215': nested },
  );
}

/** The three instances of two studies of one patient (CT + SR in one, MR in the other). */
export function deidCorpus(): { ct: BuiltInstance; mr: BuiltInstance; sr: BuiltInstance } {
  const [study1, study2] = [newUid(), newUid()];
  const ct = buildInstance(identifying(study1, newUid(), { AcquisitionDate: '20240315', ContentDate: '20240315', DeviceSerialNumber: 'SN-123' }));
  const mr = buildInstance({ ...identifying(study2, newUid(), { AcquisitionDateTime: '20240401101500', ProtocolName: 'Brain SMITH' }), sopClassUid: MR_IMAGE_STORAGE, modality: 'MR' });
  const sr = buildInstance({
    ...identifying(study1, newUid(), {
      ContentSequence: [
        { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'PNAME', ConceptNameCodeSequence: [code('121008', 'Person Observer Name')], PersonName: 'HOUSE^GREGORY' },
        { RelationshipType: 'CONTAINS', ValueType: 'DATE', ConceptNameCodeSequence: [code('111', 'Date of finding')], Date: '20240315' },
        {
          RelationshipType: 'CONTAINS', ValueType: 'CONTAINER', ContinuityOfContent: 'SEPARATE', ConceptNameCodeSequence: [code('222', 'Findings')],
          ContentSequence: [{ RelationshipType: 'CONTAINS', ValueType: 'TEXT', ConceptNameCodeSequence: [code('333', 'Finding')], TextValue: 'Seen by HOUSE^GREGORY at Mercy General' }],
        },
      ],
    }),
    sopClassUid: BASIC_TEXT_SR,
    rows: 0,
  });
  return { ct: { ...ct, bytes: withPrivateTags(ct.bytes) }, mr: { ...mr, bytes: withPrivateTags(mr.bytes) }, sr };
}

type Element = { vr: string; Value?: unknown[] };
type Dataset = Record<string, Element>;

export function readDataset(part10: Buffer): Dataset {
  return data.DicomMessage.readFile(part10.buffer.slice(part10.byteOffset, part10.byteOffset + part10.length) as ArrayBuffer).dict as unknown as Dataset;
}

const text = (e: Element | undefined) => JSON.stringify(e?.Value ?? []);

/**
 * Checks a de-identified dataset against the original, attribute by attribute, through Table
 * E.1-1 (the generated table): nothing removed (X, private) is there, Z is empty, D and U are
 * replaced, kept attributes are unchanged, and every sequence's items are checked the same way.
 */
export function assertDeidentifiedLike(original: Dataset, copy: Dataset, options: DeidOption[], path = ''): void {
  const set = new Set(options);
  for (const tag of Object.keys(copy)) assert.ok(parseInt(tag.slice(0, 4), 16) % 2 === 0, `${path}${tag}: a private attribute survived`);
  for (const [tag, element] of Object.entries(original)) {
    const where = `${path}${tag}`;
    const out = copy[tag];
    const treatment = treatmentOf(tag, set);
    if (treatment === 'remove') {
      assert.equal(out, undefined, `${where}: the profile removes it (X)`);
      continue;
    }
    if (['00100010', '00100020'].includes(tag) && !path) continue; // pseudonyms, checked by the callers
    assert.ok(out, `${where}: the profile keeps or replaces it, but it is gone`);
    if (treatment === 'zero') assert.equal((out.Value ?? []).filter((v) => v !== '').length, 0, `${where}: Z wants it empty`);
    if (treatment === 'uid') assert.notEqual(text(out), text(element), `${where}: U wants a new UID`);
    if (treatment === 'dummy' && element.vr !== 'SQ') assert.notEqual(text(out), text(element), `${where}: D wants a dummy`);
    if (treatment === undefined && element.vr !== 'SQ' && !['LT', 'ST', 'UT', 'UC', 'PN'].includes(element.vr)) {
      assert.equal(text(out), text(element), `${where}: not in the table, so kept`);
    }
    if (element.vr === 'SQ' && treatment !== 'zero') {
      const items = (element.Value ?? []) as Dataset[];
      // An item emptied by the profile may be written as no item at all.
      items.forEach((item, i) => assertDeidentifiedLike(item, ((out.Value ?? []) as Dataset[])[i] ?? {}, options, `${where}[${i}].`));
    }
  }
}
