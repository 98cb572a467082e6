// Default attributes that make a generated non-image instance valid for its IOD, so a test
// only names the SOP class: Encapsulated PDF (PS3.3 A.45.1) and Basic Text SR (PS3.3 A.35.1).

export const ENCAPSULATED_PDF = '1.2.840.10008.5.1.4.1.1.104.1';
export const BASIC_TEXT_SR = '1.2.840.10008.5.1.4.1.1.88.11';

/** A one-page PDF, padded with NUL to an even length (PS3.3 C.24.2.1 allows the pad byte). */
function minimalPdf(): ArrayBuffer {
  const text = [
    '%PDF-1.4',
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj',
    'trailer << /Root 1 0 R >>',
    '%%EOF',
    '',
  ].join('\n');
  const bytes = Buffer.alloc(text.length + (text.length % 2));
  bytes.write(text, 'latin1');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
}

function code(value: string, scheme: string, meaning: string): Record<string, string> {
  return { CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning };
}

function pdfDefaults(date: string, time: string): Record<string, unknown> {
  return {
    Modality: 'DOC',
    ConversionType: 'WSD',
    ContentDate: date,
    ContentTime: time,
    AcquisitionDateTime: `${date}${time}`,
    BurnedInAnnotation: 'YES',
    DocumentTitle: 'Generated report',
    ConceptNameCodeSequence: [code('18748-4', 'LN', 'Diagnostic imaging report')],
    MIMETypeOfEncapsulatedDocument: 'application/pdf',
    EncapsulatedDocument: [minimalPdf()],
  };
}

function srDefaults(date: string, time: string): Record<string, unknown> {
  return {
    Modality: 'SR',
    ContentDate: date,
    ContentTime: time,
    ValueType: 'CONTAINER',
    ContinuityOfContent: 'SEPARATE',
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ConceptNameCodeSequence: [code('18748-4', 'LN', 'Diagnostic imaging report')],
    ContentSequence: [
      {
        RelationshipType: 'CONTAINS',
        ValueType: 'TEXT',
        ConceptNameCodeSequence: [code('121071', 'DCM', 'Finding')],
        TextValue: 'No acute findings.',
      },
    ],
  };
}

/** IOD-specific attributes for a known non-image SOP class; empty for any other class. */
export function nonImageDefaults(sopClassUid: string, date: string, time: string): Record<string, unknown> {
  if (sopClassUid === ENCAPSULATED_PDF) return pdfDefaults(date, time);
  if (sopClassUid === BASIC_TEXT_SR) return srDefaults(date, time);
  return {};
}
