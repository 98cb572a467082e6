import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '@pacs/auth';
import { PacsConfig } from '@pacs/config';
import { DimseServer } from '@pacs/dimse';
import { BlobStore } from '@pacs/storage';

/** Liveness and readiness: database, blob storage (free space) and the DIMSE listener. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly blobs: BlobStore,
    private readonly dimse: DimseServer,
    private readonly config: PacsConfig,
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness and readiness', description: 'Public. 503 when the database, storage or DIMSE listener is down.' })
  check() {
    return this.health.check([() => this.database.pingCheck('database'), () => this.storage(), () => this.listener()]);
  }

  private async storage() {
    const check = this.indicators.check('storage');
    const problem = await this.blobs.reachable().then(
      () => undefined,
      (err: Error) => err.message,
    );
    if (problem) return check.down({ message: `storage unreachable: stores are refused (${problem})` });
    const { freeBytes, totalBytes } = await this.blobs.freeSpace();
    // The same threshold below which stores are refused (FreeSpaceGuard in @pacs/index).
    const minFreeBytes = this.config.ingest.minFreeBytes;
    const data = { freeBytes, totalBytes, minFreeBytes };
    return freeBytes >= minFreeBytes ? check.up(data) : check.down({ ...data, message: 'low disk space: stores are refused' });
  }

  private listener() {
    const check = this.indicators.check('dimse');
    return this.dimse.isListening() ? check.up() : check.down({ message: 'DIMSE listener is not accepting associations' });
  }
}
