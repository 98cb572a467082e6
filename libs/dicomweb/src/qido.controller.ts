import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotAcceptableResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Audited, RequirePermission } from '@pacs/auth';
import { QueryService } from '@pacs/index';
import { ApiQidoQuery, ApiQidoSearch, ApiUidParams, DICOM_JSON } from './dicomweb-api.decorators';
import { negotiateJson } from './json-negotiation';
import { parseQidoParams, QidoScope, QueryParams } from './qido-params';
import { withRetrieveUrl } from './qido-response';
import { dicomWebBaseUrl } from './retrieve-url';

/** QIDO-RS Search (PS3.18 10.6): studies, series and instances, at the top or nested. */
@ApiTags('dicomweb: QIDO-RS')
@ApiProduces(DICOM_JSON)
@ApiQidoQuery()
@ApiBadRequestResponse({ description: 'Unknown attribute or invalid limit, offset, fuzzymatching or includefield' })
@ApiNotAcceptableResponse({ description: 'Accept allows neither application/dicom+json nor application/json' })
@Controller('dicomweb')
@RequirePermission('study:read')
export class QidoController {
  constructor(private readonly queries: QueryService) {}

  @Get('studies')
  @Audited('query', 'E', { studies: ['study-query-key'] })
  @ApiQidoSearch('Search all studies')
  searchStudies(@Query() q: QueryParams, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.search({ level: 'study' }, q, req, res);
  }

  @Get('series')
  @Audited('query', 'E', { studies: ['study-query-key'] })
  @ApiQidoSearch('Search all series')
  searchSeries(@Query() q: QueryParams, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.search({ level: 'series' }, q, req, res);
  }

  @Get('instances')
  @Audited('query', 'E', { studies: ['study-query-key'] })
  @ApiQidoSearch('Search all instances')
  searchInstances(@Query() q: QueryParams, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.search({ level: 'instance' }, q, req, res);
  }

  @Get('studies/:study/series')
  @Audited('query', 'E', { studies: ['study-param', 'study-query-key'] })
  @ApiQidoSearch("Search a study's series")
  @ApiUidParams('study')
  searchStudySeries(@Param('study') studyUid: string, @Query() q: QueryParams, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.search({ level: 'series', studyUid }, q, req, res);
  }

  @Get('studies/:study/instances')
  @Audited('query', 'E', { studies: ['study-param', 'study-query-key'] })
  @ApiQidoSearch("Search a study's instances")
  @ApiUidParams('study')
  searchStudyInstances(@Param('study') studyUid: string, @Query() q: QueryParams, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.search({ level: 'instance', studyUid }, q, req, res);
  }

  @Get('studies/:study/series/:series/instances')
  @Audited('query', 'E', { studies: ['study-param', 'study-query-key'] })
  @ApiQidoSearch("Search a series' instances")
  @ApiUidParams('study', 'series')
  searchSeriesInstances(
    @Param('study') studyUid: string,
    @Param('series') seriesUid: string,
    @Query() q: QueryParams,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    return this.search({ level: 'instance', studyUid, seriesUid }, q, req, res);
  }

  /**
   * PS3.18 10.6.3: 200 with the DICOM JSON array (viewers expect `[]`, not 204, when nothing
   * matches), and a 299 Warning when more results exist than were returned (8.3.4.4).
   * Accept is checked first (8.7.3): DICOM JSON or plain JSON, else 406.
   */
  private async search(scope: QidoScope, q: QueryParams, req: FastifyRequest, res: FastifyReply): Promise<void> {
    const type = negotiateJson(req);
    const query = parseQidoParams(q, scope);
    const page = await this.queries.search(query);
    const base = dicomWebBaseUrl(req);
    const results = page.results.map((r) => withRetrieveUrl(r, query.level, base));
    res.status(200).header('content-type', type);
    if (page.truncated) {
      res.header(
        'warning',
        `299 ${req.hostname}: "The number of results exceeded the maximum supported by the server. Additional results can be requested."`,
      );
    }
    await res.send(JSON.stringify(results));
  }
}
