import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RequestMethod, Type } from '@nestjs/common';
import { auditedHandler, AuditedRoute } from '@pacs/auth';
import type { PacsConfig } from '@pacs/config';
import { AppModule } from './app.module';

/**
 * Routes that leave no audit event (PS3.15 A.5.3 asks for none), each with the reason. A route
 * added without @Audited fails this spec until it is declared or listed here.
 */
const NOT_AUDITED: Record<string, string> = {
  'GET /health': 'liveness probe, public',
  'GET /metrics': 'Prometheus scrape, no patient data',
  'GET /api/users': 'a plain read of configuration',
  'GET /api/users/:username': 'a plain read of configuration',
  'GET /api/peers': 'a plain read of configuration',
  'GET /api/peers/:aeTitle': 'a plain read of configuration',
  'GET /api/storage-commitments': 'a plain read of pending work',
  'GET /api/worklist': 'a plain read of scheduled work',
  'GET /api/worklist/:id': 'a plain read of scheduled work',
  'GET /api/mpps': 'a plain read of performed steps',
  'GET /api/mpps/:sopInstanceUid': 'a plain read of performed steps',
  'GET /api/studies/:studyUid/completeness': 'a plain read of performed steps',
  'GET /api/jobs': 'a plain read of pending work',
  'GET /api/jobs/:id': 'a plain read of pending work',
  'GET /api/routing-rules': 'a plain read of configuration',
  'GET /api/routing-rules/:name': 'a plain read of configuration',
  'GET /api/webhooks': 'a plain read of configuration',
  'GET /api/webhooks/:id': 'a plain read of configuration',
};

/**
 * Routes whose service records the event itself, because it names what the response hook cannot
 * know (the old and new identifiers of a correction, PS3.15 A.5.3.9 / A.5.3.2).
 */
const AUDITED_BY_SERVICE: Record<string, string> = {
  'PATCH /api/studies/:studyUid': 'CorrectionsService: Patient Record or Instances Accessed, old and new identifiers',
  'POST /api/patients/merge': 'CorrectionsService: Patient Record, both patients',
  'POST /api/series/:seriesUid/move': 'CorrectionsService: Instances Accessed, both studies',
};

interface Route {
  name: string;
  audited?: AuditedRoute;
}

/** Every controller route of the server, walked from AppModule as Nest registers them. */
function appRoutes(): Route[] {
  const app = AppModule.forRoot({ log: { level: 'silent' } } as PacsConfig, 'postgres://unused');
  return controllersOf(app).flatMap(routesOf);
}

function controllersOf(root: unknown, seen = new Set<unknown>()): Type[] {
  if (!root || seen.has(root)) return [];
  seen.add(root);
  const dynamic = root as { module?: Type; imports?: unknown[]; controllers?: Type[] };
  const module = dynamic.module ?? (root as Type);
  const own: Type[] = [...(Reflect.getMetadata('controllers', module) ?? []), ...(dynamic.controllers ?? [])];
  const imports: unknown[] = [...(Reflect.getMetadata('imports', module) ?? []), ...(dynamic.imports ?? [])];
  return [...own, ...imports.flatMap((i) => controllersOf(i, seen))];
}

/** Nest's own route metadata: 'path' on the controller and handler, 'method' on the handler. */
function routesOf(controller: Type): Route[] {
  const base = String(Reflect.getMetadata('path', controller) ?? '');
  const proto = controller.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(proto)
    .map((key) => proto[key])
    .filter((handler): handler is object => typeof handler === 'function' && Reflect.getMetadata('method', handler) !== undefined)
    .map((handler) => {
      const path = ['', base, String(Reflect.getMetadata('path', handler))].join('/').replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
      return { name: `${RequestMethod[Reflect.getMetadata('method', handler) as number]} ${path}`, audited: auditedHandler(handler) };
    });
}

describe('Every HTTP route declares its audit event, or is listed as not audited', () => {
  const routes = appRoutes();
  const audited = routes.filter((r) => r.audited);

  it('finds the routes of every controller', () => {
    assert.ok(routes.length > 50, `only ${routes.length} routes found`);
  });

  it('has no route that is neither @Audited nor listed as not audited or audited by its service, and no stale entry', () => {
    assert.deepEqual(routes.filter((r) => !r.audited && !NOT_AUDITED[r.name] && !AUDITED_BY_SERVICE[r.name]).map((r) => r.name), []);
    const listed = [...Object.keys(NOT_AUDITED), ...Object.keys(AUDITED_BY_SERVICE)];
    assert.deepEqual(listed.filter((name) => !routes.some((r) => r.name === name && !r.audited)), []);
  });

  it('audits every DICOMweb route: QIDO-RS as Query, WADO-RS as Instances Accessed, STOW-RS as Instances Transferred, DELETE as Study Deleted', () => {
    const dicomweb = routes.filter((r) => r.name.includes(' /dicomweb/'));
    assert.deepEqual(dicomweb.filter((r) => !r.audited).map((r) => r.name), []);
    const qido = /^GET .*\/(studies|series|instances)$/;
    for (const { name, audited: a } of dicomweb) {
      const expected = name.startsWith('POST') ? 'instances-transferred' : name.startsWith('DELETE') ? 'study-deleted' : qido.test(name) ? 'query' : 'instances-accessed';
      assert.equal(a?.event, expected, name);
      if (name.includes(':study')) assert.ok(a?.studies?.includes('study-param'), `${name} names its study`);
    }
  });

  it('audits every change of users, peers and worklist items, and every read of the audit trail', () => {
    const events = (prefix: string) => new Set(audited.filter((r) => r.name.includes(` ${prefix}`)).map((r) => r.audited?.event));
    const changes = (prefix: string) => routes.filter((r) => r.name.includes(` ${prefix}`) && !r.name.startsWith('GET'));
    for (const prefix of ['/api/users', '/api/peers', '/api/worklist', '/api/mpps']) {
      assert.deepEqual(changes(prefix).filter((r) => !r.audited).map((r) => r.name), [], prefix);
    }
    assert.deepEqual(events('/api/users'), new Set(['user-security-attributes-changed']));
    assert.deepEqual(events('/api/peers'), new Set(['network-configuration']));
    assert.deepEqual(events('/api/worklist'), new Set(['procedure-record']));
    assert.deepEqual(events('/api/audit'), new Set(['audit-log-used']));
    assert.equal(routes.filter((r) => r.name.includes(' /api/audit')).length, audited.filter((r) => r.name.includes(' /api/audit')).length);
  });

  it('leaves the login to the handler, which records the attempted user name', () => {
    const login = routes.find((r) => r.name === 'POST /api/auth/token');
    assert.deepEqual(login?.audited, { event: 'user-authentication', action: 'E', recordedByHandler: true });
  });
});
