import { BadGatewayException, Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Audited, RequirePermission } from '@pacs/auth';
import { DomainError } from '@pacs/errors';
import { PeersService } from '../peers/peers.service';
import { FindScu } from './find-scu';

/** Study-level matching keys a remote search passes on (PS3.4 C.6.2.1.2); others are ignored. */
const MATCHING_KEYS = ['PatientID', 'PatientName', 'StudyInstanceUID', 'StudyDate', 'AccessionNumber', 'ModalitiesInStudy', 'StudyDescription'];

/** Searches of remote archives: our C-FIND SCU to a registered peer. */
@ApiTags('remote')
@Controller('api/remote')
@RequirePermission('study:read')
export class RemoteController {
  constructor(
    private readonly find: FindScu,
    private readonly peers: PeersService,
  ) {}

  @Get(':aeTitle/studies')
  @Audited('query', 'E')
  @ApiOperation({ summary: 'Search the studies of a remote archive (C-FIND SCU, Study Root, study level); DICOM JSON' })
  @ApiParam({ name: 'aeTitle', description: 'A registered peer with a host and port' })
  @ApiOkResponse({ description: 'The matches as DICOM JSON (PS3.18 F.2)' })
  @ApiNotFoundResponse({ description: 'No registered peer with this AE title and a host and port' })
  @ApiBadGatewayResponse({ description: 'The remote could not be associated with or answered C-FIND with a failure' })
  async studies(@Param('aeTitle') aeTitle: string, @Query() query: Record<string, string>): Promise<Record<string, unknown>[]> {
    if (!this.peers.cached().some((p) => p.aeTitle.trim() === aeTitle && p.host && p.port)) {
      throw new DomainError('peer-not-found', `${aeTitle} is no registered peer with a host and port`);
    }
    const keys = Object.fromEntries(MATCHING_KEYS.filter((k) => typeof query[k] === 'string').map((k) => [k, query[k]]));
    try {
      return await this.find.findStudies(aeTitle, keys);
    } catch (err) {
      throw new BadGatewayException((err as Error).message);
    }
  }
}
