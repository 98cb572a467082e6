import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LOGIN_AUDIT } from '@pacs/auth';
import { INGEST_COMMIT_COMPANION, REJECTION_AUDIT } from '@pacs/index';
import { AuditSealer } from './audit-sealer';
import { AuditEventEntity } from './audit-event.entity';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { DimseAuditor } from './dimse-auditor';
import { HttpAuditHook } from './http-audit.hook';
import { LoginAuditor } from './login-auditor';
import { RejectionAuditor } from './rejection-auditor';
import { StoreAuditCompanion } from './store-audit.companion';

/**
 * The audit trail. Global, so DIMSE and auth reach the recorder without importing this module
 * (auth through its LOGIN_AUDIT token, which keeps the two modules free of a cycle; ingest
 * through INGEST_COMMIT_COMPANION and REJECTION_AUDIT, the same way).
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEventEntity])],
  controllers: [AuditController],
  providers: [
    AuditRepository,
    AuditService,
    DimseAuditor,
    HttpAuditHook,
    LoginAuditor,
    { provide: LOGIN_AUDIT, useExisting: LoginAuditor },
    AuditSealer,
    StoreAuditCompanion,
    // IngestService stages each store event in its index commit (issue 4: no extra commit).
    { provide: INGEST_COMMIT_COMPANION, useExisting: StoreAuditCompanion },
    RejectionAuditor,
    { provide: REJECTION_AUDIT, useExisting: RejectionAuditor },
  ],
  exports: [AuditService, DimseAuditor, LOGIN_AUDIT, INGEST_COMMIT_COMPANION, REJECTION_AUDIT, AuditSealer],
})
export class AuditModule {}
