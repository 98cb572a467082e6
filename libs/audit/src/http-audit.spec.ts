import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditedRoute } from '@pacs/auth';
import { HttpExchange, httpAuditEvent } from './http-audit';

const exchange = (over: Partial<HttpExchange>): HttpExchange => ({
  method: 'GET',
  path: '/dicomweb/studies',
  params: {},
  query: {},
  status: 200,
  username: 'alice',
  ip: '10.1.1.1',
  ...over,
});

const STOW: AuditedRoute = { event: 'instances-transferred', action: 'C', studies: ['study-param', 'handler-studies'] };
const QIDO: AuditedRoute = { event: 'query', action: 'E', studies: ['study-param', 'study-query-key'] };
const WADO: AuditedRoute = { event: 'instances-accessed', action: 'R', studies: ['study-param'] };

describe('HTTP requests → the audit events their routes declare (PS3.15 A.5.3)', () => {
  it('STOW-RS is Instances Transferred (C) with the studies the handler stored', () => {
    const e = httpAuditEvent(exchange({ method: 'POST', audited: STOW, handlerStudies: ['1.2.3', '1.2.4'] }));
    assert.equal(e?.action, '110104');
    assert.equal(e?.actionCode, 'C');
    assert.deepEqual(e?.studyUids, ['1.2.3', '1.2.4']);
    assert.equal(e?.actor, 'alice');
    assert.equal(e?.sourceAddress, '10.1.1.1');
  });

  it('a STOW-RS to /studies/{study} that stored nothing still names its study', () => {
    const e = httpAuditEvent(exchange({ method: 'POST', status: 409, audited: STOW, params: { study: '9.9' } }));
    assert.deepEqual([e?.studyUids, e?.outcome], [['9.9'], 4]);
  });

  it('a partial STOW-RS (202) is a minor failure, a 5xx a serious one', () => {
    assert.equal(httpAuditEvent(exchange({ method: 'POST', status: 202, audited: STOW }))?.outcome, 4);
    assert.equal(httpAuditEvent(exchange({ status: 500, audited: WADO }))?.outcome, 8);
  });

  it('QIDO-RS is Query (E) with the StudyInstanceUID key; WADO-RS is Instances Accessed (R) with the path study', () => {
    const q = httpAuditEvent(exchange({ query: { StudyInstanceUID: '1.2,3.4' }, audited: QIDO }));
    assert.deepEqual([q?.action, q?.actionCode, q?.studyUids], ['110112', 'E', ['1.2', '3.4']]);
    const series = httpAuditEvent(exchange({ path: '/dicomweb/studies/:study/series', params: { study: '9.9' }, audited: QIDO }));
    assert.deepEqual([series?.action, series?.studyUids], ['110112', ['9.9']]);
    const wado = httpAuditEvent(exchange({ path: '/dicomweb/studies/:study/series/:series/metadata', params: { study: '9.9', series: '8.8' }, audited: WADO }));
    assert.deepEqual([wado?.action, wado?.actionCode, wado?.studyUids], ['110103', 'R', ['9.9']]);
  });

  it('takes only the studies the route declares: a query key on a WADO-RS route is no accessed study', () => {
    const wado = httpAuditEvent(exchange({ params: { study: '9.9' }, query: { StudyInstanceUID: '6.6' }, audited: WADO }));
    assert.deepEqual(wado?.studyUids, ['9.9']);
  });

  it('every 401 and 403 is a Security Alert, on any route, declared or not, with or without a user', () => {
    const denied = httpAuditEvent(exchange({ path: '/api/peers', status: 403 }));
    assert.deepEqual([denied?.action, denied?.outcome, denied?.details?.status], ['110113', 4, 403]);
    const anonymous = httpAuditEvent(exchange({ path: '/health/x', status: 401, username: undefined, audited: WADO }));
    assert.deepEqual([anonymous?.action, anonymous?.actor, anonymous?.actorType], ['110113', '', 'anonymous']);
  });

  it('user and peer changes are Security Alerts with their event type and declared action; routes without a declaration are not audited', () => {
    const user = httpAuditEvent(exchange({ method: 'POST', path: '/api/users', status: 201, audited: { event: 'user-security-attributes-changed', action: 'C' } }));
    assert.deepEqual([user?.action, user?.actionCode, (user?.details?.eventType as { code: string }).code], ['110113', 'C', '110137']);
    const peer = httpAuditEvent(exchange({ method: 'DELETE', path: '/api/peers/:aeTitle', status: 204, audited: { event: 'network-configuration', action: 'D' } }));
    assert.deepEqual([peer?.actionCode, (peer?.details?.eventType as { code: string }).code], ['D', '110128']);
    assert.equal(httpAuditEvent(exchange({ path: '/api/peers' })), undefined);
    assert.equal(httpAuditEvent(exchange({ method: 'POST', path: '/dicomweb/studies' })), undefined);
  });

  it('a HEAD of an audited GET sends no data and leaves no event', () => {
    assert.equal(httpAuditEvent(exchange({ method: 'HEAD', params: { study: '9.9' }, audited: WADO })), undefined);
  });

  it('leaves the token endpoint to the login audit, even when it answers 401', () => {
    const login: AuditedRoute = { event: 'user-authentication', action: 'E', recordedByHandler: true };
    assert.equal(httpAuditEvent(exchange({ method: 'POST', path: '/api/auth/token', status: 401, audited: login })), undefined);
  });
});
