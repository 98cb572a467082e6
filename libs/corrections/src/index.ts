// Public API of @pacs/corrections: corrections of patient and study attributes, patient merge, series move.
export { CorrectionsModule } from './corrections.module';
export { CorrectionsService } from './corrections.service';
export type { CorrectionResult, PatientKey, Requester } from './corrections.service';
