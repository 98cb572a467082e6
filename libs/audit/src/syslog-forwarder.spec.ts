import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GENESIS_HASH, normalizeEvent } from './audit-event';
import { createServer } from 'node:net';
import { formatSyslog, parseSyslogUrl, SyslogForwarder } from './syslog-forwarder';

describe('syslog forwarding (RFC 5424)', () => {
  it('parses udp:// and tcp:// collector URLs and refuses others', () => {
    assert.deepEqual(parseSyslogUrl('udp://logs.example:514'), { protocol: 'udp', host: 'logs.example', port: 514 });
    assert.deepEqual(parseSyslogUrl('tcp://[::1]:601'), { protocol: 'tcp', host: '::1', port: 601 });
    assert.equal(parseSyslogUrl('http://logs:514'), undefined);
    assert.equal(parseSyslogUrl('udp://logs'), undefined);
    assert.equal(parseSyslogUrl('udp://logs:70000'), undefined);
  });

  it('formats PRI (facility 10, notice or warning), version 1, timestamp, host, app, MSGID and the event as JSON', () => {
    const ok = normalizeEvent({ actor: 'a', actorType: 'user', action: '110112', actionCode: 'E', outcome: 0 }, GENESIS_HASH, 'pacs-a');
    const line = formatSyslog(ok, 'json', { sourceId: 'pacs host', aeTitle: 'PACS' });
    const match = /^<85>1 (\S+) pacshost pacs \d+ PACS-AUDIT-JSON - \uFEFF(.*)$/.exec(line);
    assert.ok(match, line);
    assert.equal(match[1], ok.time);
    assert.equal(JSON.parse(match[2]).hash, ok.hash);
    const failed = normalizeEvent({ actor: 'a', actorType: 'user', action: '110113', actionCode: 'E', outcome: 4 }, GENESIS_HASH, 'pacs-a');
    assert.match(formatSyslog(failed, 'json', { sourceId: 'h', aeTitle: 'PACS' }), /^<84>1 /);
  });

  it('carries the DICOM Audit Message XML with the IHE MSGID by default', () => {
    const event = normalizeEvent({ actor: 'CT1', actorType: 'ae', action: '110104', actionCode: 'C', outcome: 0, patientId: 'P1', studyUids: ['1.2'] }, GENESIS_HASH, 'pacs-a');
    const match = /^<85>1 \S+ h pacs \d+ IHE\+RFC-3881 - \uFEFF(<\?xml version="1.0" encoding="UTF-8"\?><AuditMessage>.*<\/AuditMessage>)$/.exec(
      formatSyslog(event, 'dicom', { sourceId: 'h', aeTitle: 'PACS' }),
    );
    assert.ok(match);
  });

  it('frames each message over TCP with its octet count (RFC 6587 3.4.1)', async () => {
    let received = Buffer.alloc(0);
    const server = createServer((socket) => socket.on('data', (d) => (received = Buffer.concat([received, d]))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const forwarder = new SyslogForwarder({ protocol: 'tcp', host: '127.0.0.1', port }, (err) => assert.fail(err), 'json', { sourceId: 'h', aeTitle: 'PACS' });
    const events = ['110112', '110103'].map((action) => normalizeEvent({ actor: 'ü', actorType: 'user', action, actionCode: 'E', outcome: 0 }, GENESIS_HASH, 'pacs-a'));
    forwarder.send(events);
    const deadline = Date.now() + 5000;
    while (!received.includes('110103') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    forwarder.close();
    server.close();
    const frames: string[] = [];
    for (let at = 0; at < received.length; ) {
      const space = received.indexOf(0x20, at);
      const length = Number(received.subarray(at, space).toString());
      frames.push(received.subarray(space + 1, space + 1 + length).toString('utf8'));
      at = space + 1 + length;
    }
    assert.equal(frames.length, 2);
    assert.deepEqual(frames.map((f) => JSON.parse(f.slice(f.indexOf('{'))).action), ['110112', '110103']);
  });
});
