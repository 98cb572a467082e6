import { ApiProperty } from '@nestjs/swagger';

/** A Storage Commitment result not yet delivered, as GET /api/storage-commitments shows it. */
export class PendingCommitmentView {
  @ApiProperty({ description: 'Transaction UID (0008,1195) of the request', example: '1.2.826.0.1.3680043.8.498.1' })
  transactionUid: string;

  @ApiProperty({ description: 'The AE title that asked, where the result goes', example: 'CT1' })
  callingAe: string;

  @ApiProperty({ description: 'Instances referenced by the request', example: 120 })
  instances: number;

  @ApiProperty({ type: String, format: 'date-time' })
  requestedAt: string;

  @ApiProperty({ description: 'Deliveries tried so far', example: 2 })
  attempts: number;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the next attempt is due (while one is under way: when it times out)' })
  nextAttemptAt: string;

  @ApiProperty({ type: String, nullable: true, description: 'Why the last attempt failed', example: 'connect ECONNREFUSED 10.1.2.3:104' })
  lastError: string | null;
}
