// Public API of @pacs/webhooks: study events delivered to other systems.
export { WebhooksModule } from './webhooks.module';
export { WEBHOOK_EVENTS, WEBHOOK_JOB, signature } from './webhook';
export type { WebhookEvent } from './webhook';
