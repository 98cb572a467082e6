import { Controller, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthUser, CurrentUser, RequirePermission } from '@pacs/auth';
import { DicomWebErrorsFilter } from './dicomweb-errors.filter';
import { dicomWebBaseUrl } from './retrieve-url';
import { StowRequest, StowService } from './stow.service';

/** STOW-RS Store Instances (PS3.18 10.5). */
@Controller('dicomweb/studies')
@UseFilters(DicomWebErrorsFilter)
export class StowController {
  constructor(private readonly stow: StowService) {}

  @Post()
  @RequirePermission('study:write')
  async storeInstances(@Req() req: FastifyRequest, @Res() res: FastifyReply, @CurrentUser() user?: AuthUser): Promise<void> {
    await this.reply(res, this.requestOf(req, user));
  }

  /** PS3.18 10.5.1: every instance must belong to {study}, else it fails (0xA900). */
  @Post(':study')
  @RequirePermission('study:write')
  async storeStudyInstances(
    @Param('study') study: string,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
    @CurrentUser() user?: AuthUser,
  ): Promise<void> {
    await this.reply(res, { ...this.requestOf(req, user), studyUid: study });
  }

  private async reply(res: FastifyReply, request: StowRequest): Promise<void> {
    const result = await this.stow.store(request);
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
