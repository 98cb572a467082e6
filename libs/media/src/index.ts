// Public API of @pacs/media: DICOM media (PS3.10) made from stored instances.
export { buildDicomdir, MEDIA_STORAGE_DIRECTORY } from './dicomdir';
export { layOutFileSet } from './file-set';
export type { FileSet, MediaFile } from './file-set';
export { mediaZip } from './media-zip';
export type { MediaZip } from './media-zip';
export { writeMediaFolder } from './media-folder';
export { readDicomdirFileIds } from './dicomdir-reader';
