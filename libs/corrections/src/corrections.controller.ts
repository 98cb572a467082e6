import { Body, Controller, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuthUser, CurrentUser, RequirePermission } from '@pacs/auth';
import { CorrectionResult, CorrectionsService, Requester } from './corrections.service';
import { CorrectionResultDto, CorrectStudyDto, MergePatientsDto, MoveSeriesDto } from './dto/correction.dto';

const REWRITE = 'Every stored instance concerned is rewritten (new blob durable before the index switches to it, the old one removed after); one audit event.';

/**
 * Corrections of stored data (issue 32): patient and study attributes of a study, patient
 * merge, series move. Each records one audit event (CorrectionsService) rather than declaring
 * @Audited: the event names the old and new identifiers the hook cannot know.
 */
@ApiTags('corrections')
@ApiNotFoundResponse({ description: 'No such study, series or patient' })
@ApiBadRequestResponse({ description: 'A value breaks its VR, or the instances cannot carry it (character set)' })
@Controller('api')
@RequirePermission('study:update')
export class CorrectionsController {
  constructor(private readonly corrections: CorrectionsService) {}

  @Patch('studies/:studyUid')
  @ApiOperation({ summary: 'Correct the patient and study attributes of a study (any subset)', description: REWRITE })
  @ApiOkResponse({ type: CorrectionResultDto })
  correct(@Param('studyUid') studyUid: string, @Body() body: CorrectStudyDto, @Req() req: FastifyRequest, @CurrentUser() user?: AuthUser): Promise<CorrectionResult> {
    return this.corrections.correctStudy(studyUid, body, requester(req, user));
  }

  @Post('patients/merge')
  @HttpCode(200)
  @ApiOperation({ summary: 'Merge two patients: the studies of `from` move under `to`, and `from` disappears', description: REWRITE })
  @ApiOkResponse({ type: CorrectionResultDto })
  @ApiConflictResponse({ description: '`from` and `to` are one patient' })
  merge(@Body() body: MergePatientsDto, @Req() req: FastifyRequest, @CurrentUser() user?: AuthUser): Promise<CorrectionResult> {
    return this.corrections.mergePatients(body.from, body.to, requester(req, user));
  }

  @Post('series/:seriesUid/move')
  @HttpCode(200)
  @ApiOperation({ summary: "Move a series to another study (its Study Instance UID, study and patient attributes); an emptied study goes", description: REWRITE })
  @ApiOkResponse({ type: CorrectionResultDto })
  @ApiConflictResponse({ description: 'The series is already in that study' })
  move(@Param('seriesUid') seriesUid: string, @Body() body: MoveSeriesDto, @Req() req: FastifyRequest, @CurrentUser() user?: AuthUser): Promise<CorrectionResult> {
    return this.corrections.moveSeries(seriesUid, body.toStudyUid, requester(req, user));
  }
}

function requester(req: FastifyRequest, user?: AuthUser): Requester {
  return { username: user?.username ?? 'unknown', ip: req.ip };
}
