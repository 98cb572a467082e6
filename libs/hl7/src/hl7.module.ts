import { Module } from '@nestjs/common';
import { AuditModule } from '@pacs/audit';
import { WorklistModule } from '@pacs/worklist';
import { Hl7Auditor } from './hl7-auditor';
import { Hl7Listener } from './hl7-listener.service';
import { Hl7Messages } from './hl7-messages.service';
import { Hl7WorklistHandler } from './hl7-worklist.handler';

/** HL7 v2 over MLLP from the RIS: orders and patient updates applied to the worklist. */
@Module({
  imports: [AuditModule, WorklistModule],
  providers: [Hl7Listener, Hl7Messages, Hl7WorklistHandler, Hl7Auditor],
})
export class Hl7Module {}
