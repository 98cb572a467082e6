import { Module } from '@nestjs/common';
import { AuditModule } from '@pacs/audit';
import { CorrectionsModule } from '@pacs/corrections';
import { IndexModule } from '@pacs/index';
import { WorklistModule } from '@pacs/worklist';
import { Hl7ArchivePatients } from './hl7-archive';
import { Hl7Auditor } from './hl7-auditor';
import { Hl7Listener } from './hl7-listener.service';
import { Hl7Messages } from './hl7-messages.service';
import { Hl7PatientHandler } from './hl7-patient.handler';
import { Hl7WorklistHandler } from './hl7-worklist.handler';

/** HL7 v2 over MLLP from the RIS: orders to the worklist, patient updates to the worklist and the stored studies. */
@Module({
  imports: [AuditModule, WorklistModule, IndexModule, CorrectionsModule],
  providers: [Hl7Listener, Hl7Messages, Hl7WorklistHandler, Hl7PatientHandler, Hl7ArchivePatients, Hl7Auditor],
})
export class Hl7Module {}
