import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '@pacs/auth';
import { CommitmentLedger } from './commitment-ledger';
import { PendingCommitmentView } from './dto/pending-commitment.dto';

/**
 * Storage Commitment results still to be delivered (PS3.4 J.3.3), for an admin asking why a
 * modality has not had its result: whom it is for, how often it was tried, and why it failed.
 */
@ApiTags('storage commitment')
@Controller('api/storage-commitments')
@RequirePermission('admin')
export class StorageCommitmentsController {
  constructor(private readonly ledger: CommitmentLedger) {}

  @Get()
  @ApiOperation({ summary: 'List Storage Commitment results not yet delivered, oldest first' })
  @ApiOkResponse({ type: PendingCommitmentView, isArray: true })
  list(): Promise<PendingCommitmentView[]> {
    return this.ledger.listPending();
  }
}
