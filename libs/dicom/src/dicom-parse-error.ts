/** The bytes are not a DICOM Part 10 file, or its data set does not parse. */
export class DicomParseError extends Error {
  readonly code = 'dicom-unparsable';

  constructor(
    message: string,
    /** Where the structure broke: the byte of the data set (counted from its first byte) or of the file. */
    readonly offset?: number,
  ) {
    super(message);
  }
}
