/** Where a problem is (ERR-2, HL7 v2.5 2.15.5.2, ERL): segment, its sequence, field and component. */
export interface ErrLocation {
  segment: string;
  sequence?: number;
  field?: number;
  component?: number;
}

/** Message error condition codes, HL7 table 0357 (ERR-3, HL7 v2.5 2.15.5.3). */
export const Hl7ErrorCode = {
  SegmentSequenceError: 100,
  RequiredFieldMissing: 101,
  DataTypeError: 102,
  TableValueNotFound: 103,
  UnsupportedMessageType: 200,
  UnsupportedEventCode: 201,
  UnsupportedProcessingId: 202,
  UnsupportedVersionId: 203,
  UnknownKeyIdentifier: 204,
  DuplicateKeyIdentifier: 205,
  ApplicationRecordLocked: 206,
  ApplicationInternalError: 207,
} as const;

/** HL7 table 0357 code meanings, as ERR-3.2 names them. */
export const HL7_ERROR_TEXT: Record<number, string> = {
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  204: 'Unknown key identifier',
  205: 'Duplicate key identifier',
  206: 'Application record locked',
  207: 'Application internal error',
};

/**
 * A message that is not processed: AR (rejected: message type, event, header or sender) or AE
 * (an error in its content), HL7 v2.5 2.9.2 (original acknowledgment mode).
 */
export class Hl7Error extends Error {
  constructor(
    readonly ack: 'AE' | 'AR',
    readonly code: number,
    message: string,
    readonly location?: ErrLocation,
  ) {
    super(message);
  }
}

export const missing = (location: ErrLocation, what: string) =>
  new Hl7Error('AE', Hl7ErrorCode.RequiredFieldMissing, `${what} is missing`, location);
