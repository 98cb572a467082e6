// Public API of @pacs/hl7: the MLLP listener module (PACS_HL7_PORT).
export { Hl7Module } from './hl7.module';
