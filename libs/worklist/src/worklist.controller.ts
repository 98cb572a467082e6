import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Audited, AuthUser, CurrentUser, RequirePermission } from '@pacs/auth';
import { WorklistItemDto } from './dto/worklist-item.dto';
import { WorklistQueryDto } from './dto/worklist-query.dto';
import { WorklistItemView, WorklistPage } from './dto/worklist-view.dto';
import { WorklistService } from './worklist.service';

/** Worklist items for the RIS: what the modalities find over MWL C-FIND (PS3.4 K). */
@ApiTags('worklist')
@Controller('api/worklist')
export class WorklistController {
  constructor(private readonly worklist: WorklistService) {}

  @Post()
  @HttpCode(201)
  @RequirePermission('worklist:write')
  @Audited('procedure-record', 'C')
  @ApiOperation({ summary: 'Schedule a requested procedure (Study Instance UID generated when absent)' })
  @ApiCreatedResponse({ type: WorklistItemView, description: 'Item created with status SCHEDULED' })
  @ApiBadRequestResponse({ description: 'A field breaks a DICOM rule (date, time, PN, AE title, UID, length)' })
  @ApiConflictResponse({ description: 'Accession number (per issuer) or Study Instance UID already used' })
  create(@Body() body: WorklistItemDto, @CurrentUser() user?: AuthUser): Promise<WorklistItemView> {
    return this.worklist.create(body, user?.username ?? 'unknown');
  }

  @Get()
  @RequirePermission('worklist:read')
  @ApiOperation({ summary: 'List worklist items, filtered on patient, accession and their scheduled steps, paginated' })
  @ApiOkResponse({ type: WorklistPage })
  @ApiBadRequestResponse({ description: 'A filter has a bad format' })
  list(@Query() query: WorklistQueryDto): Promise<WorklistPage> {
    return this.worklist.list(query);
  }

  @Get(':id')
  @RequirePermission('worklist:read')
  @ApiOperation({ summary: 'Get one worklist item' })
  @ApiOkResponse({ type: WorklistItemView })
  @ApiNotFoundResponse({ description: 'No such item' })
  get(@Param('id') id: string): Promise<WorklistItemView> {
    return this.worklist.get(id);
  }

  @Put(':id')
  @RequirePermission('worklist:write')
  @Audited('procedure-record', 'U')
  @ApiOperation({ summary: 'Replace a SCHEDULED worklist item' })
  @ApiOkResponse({ type: WorklistItemView })
  @ApiBadRequestResponse({ description: 'A field breaks a DICOM rule' })
  @ApiNotFoundResponse({ description: 'No such item' })
  @ApiConflictResponse({ description: 'The item is no longer SCHEDULED, or the accession number / Study Instance UID is taken' })
  replace(@Param('id') id: string, @Body() body: WorklistItemDto, @CurrentUser() user?: AuthUser): Promise<WorklistItemView> {
    return this.worklist.replace(id, body, user?.username ?? 'unknown');
  }

  @Delete(':id')
  @RequirePermission('worklist:write')
  @Audited('procedure-record', 'D')
  @ApiOperation({ summary: 'Cancel a SCHEDULED worklist item (kept, with status CANCELLED; no longer offered over MWL)' })
  @ApiOkResponse({ type: WorklistItemView, description: 'The cancelled item' })
  @ApiNotFoundResponse({ description: 'No such item' })
  @ApiConflictResponse({ description: 'The item is in progress or finished' })
  cancel(@Param('id') id: string, @CurrentUser() user?: AuthUser): Promise<WorklistItemView> {
    return this.worklist.cancel(id, user?.username ?? 'unknown');
  }
}
