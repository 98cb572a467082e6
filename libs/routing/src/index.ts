// Public API of @pacs/routing: forwarding rules.
export { RoutingModule } from './routing.module';
export { FORWARD_JOB } from './forward-jobs.companion';
