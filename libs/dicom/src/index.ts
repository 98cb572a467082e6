// Public API of @pacs/dicom: pure DICOM helpers (no Nest, no I/O except reading a file header).
export type { DicomJson, DicomJsonElement } from './dicom-json';
export { getString, getStrings, getNumber, getPersonName } from './dicom-json';
export { normalizeDicomJson, normalizeValue } from './value-normalization';
export { Tag, keywordToTag, tagToKeyword } from './tags';
export { TransferSyntax, SUPPORTED_TRANSFER_SYNTAXES, isEncapsulatedTransferSyntax } from './transfer-syntax';
export { STORAGE_SOP_CLASSES, VERIFICATION_SOP_CLASS, isStorageSopClass } from './sop-classes';
export { isValidUid } from './uid';
export { buildPart10Header, IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './file-meta';
export type { Part10Meta } from './file-meta';
export { readInstanceHeader } from './header-reader';
export { DicomParseError } from './dicom-parse-error';
export type { InstanceHeader } from './header-reader';
export { attributeInfo } from './attribute-dictionary';
export type { AttributeInfo } from './attribute-dictionary';
export { MemorySource } from './byte-source';
export type { ByteSource } from './byte-source';
export { openInstance, locateFrames, locateBulkValue, readRanges } from './pixel-frames';
export type { ByteRange, BulkValue, PixelLayout, OpenedInstance } from './pixel-frames';
