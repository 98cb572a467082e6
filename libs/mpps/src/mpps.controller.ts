import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '@pacs/auth';
import { DomainError } from '@pacs/errors';
import { MppsQueryDto, PerformedSeriesView, ProcedureStepPage, ProcedureStepView, StudyCompletenessView } from './dto/mpps-view.dto';
import { scheduledStep } from './mpps-rules';
import { MppsRepository } from './mpps.repository';
import { ProcedureStepEntity } from './procedure-step.entity';

type Attrs = Record<string, unknown>;

/** Procedure steps reported by modalities (MPPS) and the study completeness they drive. */
@ApiTags('mpps')
@Controller('api')
export class MppsController {
  constructor(private readonly repo: MppsRepository) {}

  @Get('mpps')
  @RequirePermission('mpps:read')
  @ApiOperation({ summary: 'List Modality Performed Procedure Steps with their performed series, newest first; linked=false lists those matching no worklist item' })
  @ApiOkResponse({ type: ProcedureStepPage })
  async list(@Query() query: MppsQueryDto): Promise<ProcedureStepPage> {
    const [steps, total] = await this.repo.list(query, query.limit ?? 50, query.offset ?? 0);
    return { items: steps.map(toView), total };
  }

  @Get('mpps/:sopInstanceUid')
  @RequirePermission('mpps:read')
  @ApiOperation({ summary: 'Get one procedure step' })
  @ApiOkResponse({ type: ProcedureStepView })
  @ApiNotFoundResponse({ description: 'No such procedure step' })
  async get(@Param('sopInstanceUid') uid: string): Promise<ProcedureStepView> {
    const step = await this.repo.find(uid);
    if (!step) throw new DomainError('mpps-not-found', `no procedure step ${uid}`);
    return toView(step);
  }

  @Get('studies/:studyUid/completeness')
  @RequirePermission('mpps:read')
  @ApiOperation({ summary: 'Whether the study is complete: its procedure steps are finished and every instance they reference is stored' })
  @ApiOkResponse({ type: StudyCompletenessView })
  async completeness(@Param('studyUid') studyUid: string): Promise<StudyCompletenessView> {
    const [state, steps] = await Promise.all([this.repo.completeness(studyUid), this.repo.stepsOfStudy(studyUid)]);
    return {
      studyInstanceUid: studyUid,
      complete: state?.complete ?? false,
      completedAt: state?.completedAt?.toISOString() ?? null,
      procedureSteps: steps.map(toView),
    };
  }
}

const str = (v: unknown): string | null => {
  const s = (Array.isArray(v) ? v[0] : v) as unknown;
  return s === undefined || s === null || s === '' ? null : String(s);
};

function performedSeries(attributes: Attrs): PerformedSeriesView[] {
  const series = Array.isArray(attributes.PerformedSeriesSequence) ? (attributes.PerformedSeriesSequence as Attrs[]) : [];
  return series.map((s) => ({
    seriesInstanceUid: str(s.SeriesInstanceUID) ?? '',
    seriesDescription: str(s.SeriesDescription) ?? undefined,
    sopInstanceUids: ['ReferencedImageSequence', 'ReferencedNonImageCompositeSOPInstanceSequence'].flatMap((k) =>
      Array.isArray(s[k]) ? (s[k] as Attrs[]).map((r) => str(r.ReferencedSOPInstanceUID) ?? '') : [],
    ),
  }));
}

function toView(step: ProcedureStepEntity): ProcedureStepView {
  return {
    sopInstanceUid: step.sopInstanceUid,
    status: step.status,
    studyInstanceUid: step.studyUid,
    worklistItemId: step.worklistItemId === null ? null : String(step.worklistItemId),
    scheduledProcedureStepId: step.scheduledStepId,
    accessionNumber: scheduledStep(step.attributes).accessionNumber ?? null,
    performedProcedureStepId: str(step.attributes.PerformedProcedureStepID),
    performedStationAeTitle: step.performedStationAe,
    performedSeries: performedSeries(step.attributes),
    imagesComplete: step.imagesComplete,
    createdAt: step.createdAt.toISOString(),
    updatedAt: step.updatedAt.toISOString(),
  };
}
