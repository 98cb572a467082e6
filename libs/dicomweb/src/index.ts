// Public API of @pacs/dicomweb.
export { DicomWebModule } from './dicomweb.module';
