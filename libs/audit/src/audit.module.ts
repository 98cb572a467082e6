import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LOGIN_AUDIT } from '@pacs/auth';
import { AuditEventEntity } from './audit-event.entity';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { DimseAuditor } from './dimse-auditor';
import { HttpAuditHook } from './http-audit.hook';
import { LoginAuditor } from './login-auditor';

/**
 * The audit trail. Global, so DIMSE and auth reach the recorder without importing this module
 * (auth through its LOGIN_AUDIT token, which keeps the two modules free of a cycle).
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
  ],
  exports: [AuditService, DimseAuditor, LOGIN_AUDIT],
})
export class AuditModule {}
