import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { CommitCompanions, IndexModule, RejectionService } from '@pacs/index';
import { JobQueue, JobsModule } from '@pacs/jobs';
import { MppsModule, StudyCompletenessService } from '@pacs/mpps';
import { StudyEvents } from './study-events';
import { StudyReceivedCompanion } from './study-received.companion';
import { WebhookDeliveryHandler } from './webhook-delivery.handler';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** Plugs the event sources (ingest commit, MPPS completeness, IOCM rejection) and the sender into the job queue. */
@Injectable()
class WebhooksStartup implements OnModuleInit {
  constructor(
    private readonly companions: CommitCompanions,
    private readonly companion: StudyReceivedCompanion,
    private readonly completeness: StudyCompletenessService,
    private readonly rejections: RejectionService,
    private readonly events: StudyEvents,
    private readonly queue: JobQueue,
    private readonly handler: WebhookDeliveryHandler,
  ) {}

  onModuleInit(): void {
    this.companions.register(this.companion);
    this.completeness.onStudyComplete((e) => this.events.studyComplete(e));
    this.rejections.onRejected((instances) => this.events.instancesRejected(instances));
    this.queue.register(this.handler);
  }
}

/** Webhooks (README "Webhooks"): study events POSTed, signed, to other systems through the job queue. */
@Module({
  imports: [IndexModule, JobsModule, MppsModule],
  controllers: [WebhooksController],
  providers: [WebhooksRepository, WebhooksService, StudyReceivedCompanion, StudyEvents, WebhookDeliveryHandler, WebhooksStartup],
})
export class WebhooksModule {}
