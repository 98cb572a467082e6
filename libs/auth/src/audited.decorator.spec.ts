import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RouteConfig } from '@nestjs/platform-fastify';
import { mergeRouteConfig } from './audited.decorator';

describe('Route config of @Public and @Audited', () => {
  it('adds to the config Nest gives Fastify (RouteConfig) instead of replacing it or writing beside it', () => {
    class Routes {
      handler(): void {}
    }
    const descriptor = Object.getOwnPropertyDescriptor(Routes.prototype, 'handler')!;
    RouteConfig({ rateLimit: 5 })(Routes.prototype, 'handler', descriptor);
    mergeRouteConfig({ pacsPublic: true })(Routes.prototype, 'handler', descriptor);
    mergeRouteConfig({ pacsAudited: { event: 'query' } })(Routes.prototype, 'handler', descriptor);
    const keys = Reflect.getMetadataKeys(descriptor.value);
    assert.equal(keys.length, 1, `one route config, not ${String(keys)}`);
    assert.deepEqual(Reflect.getMetadata(keys[0], descriptor.value), { rateLimit: 5, pacsPublic: true, pacsAudited: { event: 'query' } });
  });
});
