// Public API of @pacs/deid: de-identification (PS3.15 Annex E Basic Profile) with consistent pseudonyms.
export { DeidModule } from './deid.module';
export { DeidService } from './deid.service';
export { CopyIngest } from './copy-ingest';
export { DeidError } from './deid.errors';
export { DeidProfileDto } from './dto/deid-profile.dto';
export { DEID_OPTIONS } from './profile-table';
export type { DeidOption } from './profile-table';
export type { DeidProfile } from './instance-deidentifier';
export { writableSyntax as deidentifiedSyntax } from './part10-deidentifier';
export type { DeidentifiedInstance } from './part10-deidentifier';
