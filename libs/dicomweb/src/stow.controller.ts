import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Audited, auditStudies, AuthUser, CurrentUser, RequirePermission } from '@pacs/auth';
import { APPLICATION_DICOM, ApiStowBody, ApiUidParams, DICOM_JSON, MULTIPART_DICOM, STOW_RESPONSE } from './dicomweb-api.decorators';
import { dicomWebBaseUrl } from './retrieve-url';
import { StowRequest, StowService } from './stow.service';

/** STOW-RS Store Instances (PS3.18 10.5). */
@ApiTags('dicomweb: STOW-RS')
@ApiConsumes(MULTIPART_DICOM, APPLICATION_DICOM)
@ApiProduces(DICOM_JSON)
@ApiOkResponse({ schema: STOW_RESPONSE, description: 'All instances stored (PS3.18 10.5.3)' })
@ApiAcceptedResponse({ schema: STOW_RESPONSE, description: 'Some instances stored, some failed' })
@ApiConflictResponse({ schema: STOW_RESPONSE, description: 'No instance stored, for reasons of the request' })
@ApiResponse({ status: 507, schema: STOW_RESPONSE, description: 'No instance stored: the storage is below its minimum free space (Failure Reason A700)' })
@ApiServiceUnavailableResponse({ schema: STOW_RESPONSE, description: 'No instance stored: the storage failed (Failure Reason A700)' })
@ApiBadRequestResponse({ description: 'Malformed multipart body, or no instances' })
@ApiUnsupportedMediaTypeResponse({ description: 'Content-Type other than multipart/related; type="application/dicom" or application/dicom' })
@Controller('dicomweb/studies')
export class StowController {
  constructor(private readonly stow: StowService) {}

  @Post()
  @RequirePermission('study:write')
  @Audited('instances-transferred', 'C', { studies: ['study-param', 'handler-studies'] })
  @ApiOperation({ summary: 'Store instances' })
  @ApiStowBody()
  async storeInstances(@Req() req: FastifyRequest, @Res() res: FastifyReply, @CurrentUser() user?: AuthUser): Promise<void> {
    await this.reply(req, res, this.requestOf(req, user));
  }

  /** PS3.18 10.5.1: every instance must belong to {study}, else it fails (0xA900). */
  @Post(':study')
  @RequirePermission('study:write')
  @Audited('instances-transferred', 'C', { studies: ['study-param', 'handler-studies'] })
  @ApiOperation({ summary: 'Store instances of one study', description: 'Instances of another study fail (0xA900).' })
  @ApiUidParams('study')
  @ApiStowBody()
  async storeStudyInstances(
    @Param('study') study: string,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
    @CurrentUser() user?: AuthUser,
  ): Promise<void> {
    await this.reply(req, res, { ...this.requestOf(req, user), studyUid: study });
  }

  private async reply(req: FastifyRequest, res: FastifyReply, request: StowRequest): Promise<void> {
    const result = await this.stow.store(request);
    auditStudies(req, result.storedStudyUids);
    await res.status(result.status).header('content-type', 'application/dicom+json').send(JSON.stringify(result.body));
  }

  private requestOf(req: FastifyRequest, user?: AuthUser): StowRequest {
    return {
      body: req.body,
      contentType: req.headers['content-type'],
      baseUrl: dicomWebBaseUrl(req),
      actor: user?.username,
      remoteAddress: req.ip,
    };
  }
}
