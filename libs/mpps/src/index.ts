// Public API of @pacs/mpps: the MPPS SCP (N-CREATE / N-SET) and study completeness.
export { MppsModule } from './mpps.module';
export { MppsService } from './mpps.service';
export { StudyCompletenessService } from './study-completeness.service';
export type { StudyCompleteEvent, StudyCompleteListener } from './study-completeness.service';
