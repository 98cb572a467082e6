import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '@pacs/auth';
import { DimseServer } from '@pacs/dimse';
import { BlobStore } from '@pacs/storage';

/** Below this much free space the store reports down: ingest would soon fail with out-of-resources. */
const MIN_FREE_BYTES = 1 << 30;

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
    const { freeBytes, totalBytes } = await this.blobs.freeSpace();
    const data = { freeBytes, totalBytes, minFreeBytes: MIN_FREE_BYTES };
    return freeBytes >= MIN_FREE_BYTES ? check.up(data) : check.down({ ...data, message: 'low disk space' });
  }

  private listener() {
    const check = this.indicators.check('dimse');
    return this.dimse.isListening() ? check.up() : check.down({ message: 'DIMSE listener is not accepting associations' });
  }
}
