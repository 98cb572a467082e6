import { DynamicModule, Injectable, Module, OnModuleInit, Optional } from '@nestjs/common';
import { DimseModule } from '@pacs/dimse';
import { CommitCompanions, IndexModule } from '@pacs/index';
import { JobQueue, JobsModule } from '@pacs/jobs';
import { ForwardHandler } from './forward.handler';
import { ForwardJobsCompanion } from './forward-jobs.companion';
import { RoutingRulesController } from './routing-rules.controller';
import { RoutingRulesRepository } from './routing-rules.repository';
import { RoutingRulesService } from './routing-rules.service';

/** Plugs forwarding into ingest (the commit companion) and, in the server, into the job queue (the sender). */
@Injectable()
class RoutingStartup implements OnModuleInit {
  constructor(
    private readonly companions: CommitCompanions,
    private readonly companion: ForwardJobsCompanion,
    private readonly queue: JobQueue,
    private readonly rules: RoutingRulesService,
    @Optional() private readonly handler?: ForwardHandler,
  ) {}

  async onModuleInit(): Promise<void> {
    this.companions.register(this.companion);
    if (!this.handler) return;
    this.queue.register(this.handler);
    await this.rules.followChanges();
  }
}

const QUEUEING = [RoutingRulesRepository, RoutingRulesService, ForwardJobsCompanion, RoutingStartup];

/**
 * Forwarding rules: each stored instance that matches is queued (in its index commit) for each
 * destination, and sent by C-STORE from the job queue.
 */
@Module({})
export class RoutingModule {
  /** Rules API, queuing and sending. */
  static forServer(): DynamicModule {
    return {
      module: RoutingModule,
      imports: [IndexModule, DimseModule, JobsModule],
      controllers: [RoutingRulesController],
      providers: [...QUEUEING, ForwardHandler],
    };
  }

  /** Queuing only (`pacs import`): the running servers send. */
  static forCli(): DynamicModule {
    return { module: RoutingModule, imports: [IndexModule, JobsModule], providers: QUEUEING };
  }
}
