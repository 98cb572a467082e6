import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpExchange, httpAuditEvent } from './http-audit';

const exchange = (over: Partial<HttpExchange>): HttpExchange => ({
  method: 'GET',
  path: '/dicomweb/studies',
  route: '/dicomweb/studies',
  params: {},
  query: {},
  status: 200,
  username: 'alice',
  ip: '10.1.1.1',
  ...over,
});

describe('HTTP requests → audit events (PS3.15 A.5.3)', () => {
  it('STOW-RS is Instances Transferred (C) with the studies named in the response', () => {
    const payload = JSON.stringify({ '00081199': { Value: [{ '00081190': { Value: ['http://h/dicomweb/studies/1.2.3/series/4.5/instances/6.7'] } }] } });
    const e = httpAuditEvent(exchange({ method: 'POST', payload }));
    assert.equal(e?.action, '110104');
    assert.equal(e?.actionCode, 'C');
    assert.deepEqual(e?.studyUids, ['1.2.3']);
    assert.equal(e?.actor, 'alice');
    assert.equal(e?.sourceAddress, '10.1.1.1');
  });

  it('a partial STOW-RS (202) is a minor failure, a 5xx a serious one', () => {
    assert.equal(httpAuditEvent(exchange({ method: 'POST', status: 202 }))?.outcome, 4);
    assert.equal(httpAuditEvent(exchange({ status: 500 }))?.outcome, 8);
  });

  it('QIDO-RS is Query (E) with the StudyInstanceUID key; WADO-RS is Instances Accessed (R) with the path study', () => {
    const q = httpAuditEvent(exchange({ query: { StudyInstanceUID: '1.2,3.4' } }));
    assert.deepEqual([q?.action, q?.actionCode, q?.studyUids], ['110112', 'E', ['1.2', '3.4']]);
    const series = httpAuditEvent(exchange({ route: '/dicomweb/studies/:study/series', params: { study: '9.9' } }));
    assert.deepEqual([series?.action, series?.studyUids], ['110112', ['9.9']]);
    const wado = httpAuditEvent(exchange({ route: '/dicomweb/studies/:study/series/:series/metadata', params: { study: '9.9', series: '8.8' } }));
    assert.deepEqual([wado?.action, wado?.actionCode, wado?.studyUids], ['110103', 'R', ['9.9']]);
  });

  it('every 401 and 403 is a Security Alert, on any route, with or without a user', () => {
    const denied = httpAuditEvent(exchange({ route: '/api/peers', path: '/api/peers', status: 403 }));
    assert.deepEqual([denied?.action, denied?.outcome, denied?.details?.status], ['110113', 4, 403]);
    const anonymous = httpAuditEvent(exchange({ route: '/health/x', status: 401, username: undefined }));
    assert.deepEqual([anonymous?.action, anonymous?.actor, anonymous?.actorType], ['110113', '', 'anonymous']);
  });

  it('user and peer changes are Security Alerts with their event type; plain reads and health are not audited', () => {
    const user = httpAuditEvent(exchange({ method: 'POST', route: '/api/users', status: 201 }));
    assert.deepEqual([user?.action, user?.actionCode, (user?.details?.eventType as { code: string }).code], ['110113', 'C', '110137']);
    const peer = httpAuditEvent(exchange({ method: 'DELETE', route: '/api/peers/:aeTitle', status: 204 }));
    assert.deepEqual([peer?.actionCode, (peer?.details?.eventType as { code: string }).code], ['D', '110128']);
    assert.equal(httpAuditEvent(exchange({ route: '/api/peers' })), undefined);
    assert.equal(httpAuditEvent(exchange({ route: '/health' })), undefined);
  });

  it('leaves the token endpoint to the login audit, even when it answers 401', () => {
    assert.equal(httpAuditEvent(exchange({ method: 'POST', route: '/api/auth/token', status: 401 })), undefined);
  });
});
