import { applyDecorators, Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotAcceptableResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Audited, RequirePermission } from '@pacs/auth';
import { DomainError } from '@pacs/errors';
import { ApiUidParams } from './dicomweb-api.decorators';
import { parseFrameList } from './frame-list';
import { parseRenderRequest } from './render-params';
import { RenderingService, THUMBNAIL_SIZE } from './rendering.service';
import { RepresentativeInstance } from './representative-instance';

type Query = Record<string, unknown>;

/** OpenAPI of a rendered or thumbnail route. */
function ApiRendered(summary: string, description: string): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary, description }),
    ApiProduces('image/jpeg', 'image/png'),
    ApiOkResponse({ schema: { type: 'string', format: 'binary' }, description: 'The rendered frame (JPEG by default, PNG by Accept or `accept`)' }),
    ApiQuery({ name: 'window', required: false, description: 'center,width[,linear|linear-exact|sigmoid] (PS3.18 8.3.5.1.4)', example: '40,400,linear' }),
    ApiQuery({ name: 'viewport', required: false, description: 'width,height: scaled to fit inside, aspect ratio kept (PS3.18 8.3.5.1.3)', example: '256,256' }),
    ApiQuery({ name: 'quality', required: false, description: 'JPEG quality 1..100 (default 90)' }),
    ApiQuery({ name: 'accept', required: false, description: 'Media type, replaces the Accept header (PS3.18 8.3.3.1)', example: 'image/png' }),
    ApiBadRequestResponse({ description: 'Malformed window, viewport, quality or frame number' }),
  );
}

const SERIES_CHOICE = 'A series or study is shown by a representative instance: the middle one in series and instance number order (the nearest one with pixel data).';

/**
 * WADO-RS rendered resources (PS3.18 10.4.1.1.4) and thumbnails (10.4.1.1.5): one frame as a
 * consumer image. Instance: frame 1; `/frames/{n}/rendered`: frame n.
 */
@ApiTags('dicomweb: WADO-RS rendered')
@ApiNotFoundResponse({ description: 'No such study, series, instance or frame, or no pixel data' })
@ApiNotAcceptableResponse({ description: 'Accept allows neither image/jpeg nor image/png' })
@Controller('dicomweb/studies')
@RequirePermission('study:read')
export class RenderedController {
  constructor(
    private readonly representative: RepresentativeInstance,
    private readonly rendering: RenderingService,
  ) {}

  @Get(':study/rendered')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiRendered('Rendered study', SERIES_CHOICE)
  @ApiUidParams('study')
  studyRendered(@Param('study') studyUid: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.send({ studyUid }, 1, req, res, false);
  }

  @Get(':study/thumbnail')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiRendered('Study thumbnail', `${SERIES_CHOICE} At most ${THUMBNAIL_SIZE} pixels a side unless a viewport is given.`)
  @ApiUidParams('study')
  studyThumbnail(@Param('study') studyUid: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.send({ studyUid }, 1, req, res, true);
  }

  @Get(':study/series/:series/rendered')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiRendered('Rendered series', SERIES_CHOICE)
  @ApiUidParams('study', 'series')
  seriesRendered(@Param('study') studyUid: string, @Param('series') seriesUid: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.send({ studyUid, seriesUid }, 1, req, res, false);
  }

  @Get(':study/series/:series/thumbnail')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiRendered('Series thumbnail', `${SERIES_CHOICE} At most ${THUMBNAIL_SIZE} pixels a side unless a viewport is given.`)
  @ApiUidParams('study', 'series')
  seriesThumbnail(@Param('study') studyUid: string, @Param('series') seriesUid: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.send({ studyUid, seriesUid }, 1, req, res, true);
  }

  @Get(':study/series/:series/instances/:instance/rendered')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiRendered('Rendered instance', 'Frame 1 of the instance.')
  @ApiUidParams('study', 'series', 'instance')
  instanceRendered(
    @Param('study') studyUid: string, @Param('series') seriesUid: string, @Param('instance') sopInstanceUid: string,
    @Req() req: FastifyRequest, @Res() res: FastifyReply,
  ): Promise<void> {
    return this.send({ studyUid, seriesUid, sopInstanceUid }, 1, req, res, false);
  }

  @Get(':study/series/:series/instances/:instance/thumbnail')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiRendered('Instance thumbnail', `Frame 1, at most ${THUMBNAIL_SIZE} pixels a side unless a viewport is given.`)
  @ApiUidParams('study', 'series', 'instance')
  instanceThumbnail(
    @Param('study') studyUid: string, @Param('series') seriesUid: string, @Param('instance') sopInstanceUid: string,
    @Req() req: FastifyRequest, @Res() res: FastifyReply,
  ): Promise<void> {
    return this.send({ studyUid, seriesUid, sopInstanceUid }, 1, req, res, true);
  }

  @Get(':study/series/:series/instances/:instance/frames/:frames/rendered')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiRendered('Rendered frame', 'One frame (a list is refused: one image per response).')
  @ApiUidParams('study', 'series', 'instance')
  @ApiParam({ name: 'frames', description: '1-based frame number', example: '1' })
  frameRendered(
    @Param('study') studyUid: string, @Param('series') seriesUid: string, @Param('instance') sopInstanceUid: string, @Param('frames') frame: string,
    @Req() req: FastifyRequest, @Res() res: FastifyReply,
  ): Promise<void> {
    return this.send({ studyUid, seriesUid, sopInstanceUid }, singleFrame(frame), req, res, false);
  }

  @Get(':study/series/:series/instances/:instance/frames/:frames/thumbnail')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  @ApiRendered('Frame thumbnail', `One frame, at most ${THUMBNAIL_SIZE} pixels a side unless a viewport is given.`)
  @ApiUidParams('study', 'series', 'instance')
  @ApiParam({ name: 'frames', description: '1-based frame number', example: '1' })
  frameThumbnail(
    @Param('study') studyUid: string, @Param('series') seriesUid: string, @Param('instance') sopInstanceUid: string, @Param('frames') frame: string,
    @Req() req: FastifyRequest, @Res() res: FastifyReply,
  ): Promise<void> {
    return this.send({ studyUid, seriesUid, sopInstanceUid }, singleFrame(frame), req, res, true);
  }

  /** 400 (parameters) and 406 (Accept) come before any storage access, then 404, then the image. */
  private async send(
    scope: { studyUid: string; seriesUid?: string; sopInstanceUid?: string },
    frame: number,
    req: FastifyRequest,
    res: FastifyReply,
    thumbnail: boolean,
  ): Promise<void> {
    // The raw query: the global ValidationPipe would refuse these parameters on a plain object.
    const request = parseRenderRequest(req.query as Query, req.headers.accept);
    const part10 = await this.representative.read(scope, frame);
    const image = await this.rendering.render(part10, frame, request, thumbnail);
    await res.status(200).header('content-type', request.format).send(image);
  }
}

function singleFrame(text: string): number {
  const frames = parseFrameList(text);
  if (frames.length !== 1) throw new DomainError('bad-request', 'a rendered frame request names exactly one frame');
  return frames[0];
}
