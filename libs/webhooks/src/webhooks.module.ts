import { DynamicModule, Injectable, Module, OnModuleInit, Optional } from '@nestjs/common';
import { CommitCompanions, IndexModule, RejectionService } from '@pacs/index';
import { JobQueue, JobsModule } from '@pacs/jobs';
import { MppsModule, StudyCompletenessService } from '@pacs/mpps';
import { StudyEvents } from './study-events';
import { StudyReceivedCompanion } from './study-received.companion';
import { WebhookDeliveryHandler } from './webhook-delivery.handler';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** The server's part: MPPS completeness and IOCM rejection as events, and the deliveries. */
@Injectable()
class ServerEvents {
  constructor(
    private readonly completeness: StudyCompletenessService,
    private readonly rejections: RejectionService,
    private readonly events: StudyEvents,
    private readonly queue: JobQueue,
    private readonly handler: WebhookDeliveryHandler,
  ) {}

  plugIn(): void {
    this.completeness.onStudyComplete((e) => this.events.studyComplete(e));
    this.rejections.onRejected((instances) => this.events.instancesRejected(instances));
    this.queue.register(this.handler);
  }
}

/** Plugs study.received into ingest and, in the server, the other event sources and the sender. */
@Injectable()
class WebhooksStartup implements OnModuleInit {
  constructor(
    private readonly companions: CommitCompanions,
    private readonly companion: StudyReceivedCompanion,
    private readonly webhooks: WebhooksService,
    @Optional() private readonly server?: ServerEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    this.companions.register(this.companion);
    if (!this.server) return;
    this.server.plugIn();
    await this.webhooks.followChanges();
  }
}

const QUEUEING = [WebhooksRepository, WebhooksService, StudyReceivedCompanion, WebhooksStartup];

/** Webhooks (README "Webhooks"): study events POSTed, signed, to other systems through the job queue. */
@Module({})
export class WebhooksModule {
  /** Webhooks API, every event source and the deliveries. */
  static forServer(): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [IndexModule, JobsModule, MppsModule],
      controllers: [WebhooksController],
      providers: [...QUEUEING, StudyEvents, WebhookDeliveryHandler, ServerEvents],
    };
  }

  /** study.received of what `pacs import` stores, queued only: the running servers deliver. */
  static forCli(): DynamicModule {
    return { module: WebhooksModule, imports: [IndexModule, JobsModule], providers: QUEUEING };
  }
}
