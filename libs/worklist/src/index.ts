// Public API of @pacs/worklist: worklist items (REST for the RIS) and the MWL C-FIND provider.
export { WorklistModule } from './worklist.module';
export { WorklistService } from './worklist.service';
export type { WorklistItemView } from './dto/worklist-view.dto';
export { WORKLIST_STATUSES } from './worklist-item.entity';
export type { WorklistStatus } from './worklist-item.entity';
export { PageQueryDto } from './dto/page-query.dto';
export { CodeDto, PatientDto, RequestedProcedureDto, ScheduledStepDto, WorklistItemDto } from './dto/worklist-item.dto';
export type { PatientMatch } from './worklist.repository';
