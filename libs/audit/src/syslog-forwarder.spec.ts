import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GENESIS_HASH, normalizeEvent } from './audit-event';
import { formatSyslog, parseSyslogUrl } from './syslog-forwarder';

describe('syslog forwarding (RFC 5424)', () => {
  it('parses udp:// and tcp:// collector URLs and refuses others', () => {
    assert.deepEqual(parseSyslogUrl('udp://logs.example:514'), { protocol: 'udp', host: 'logs.example', port: 514 });
    assert.deepEqual(parseSyslogUrl('tcp://[::1]:601'), { protocol: 'tcp', host: '::1', port: 601 });
    assert.equal(parseSyslogUrl('http://logs:514'), undefined);
    assert.equal(parseSyslogUrl('udp://logs'), undefined);
    assert.equal(parseSyslogUrl('udp://logs:70000'), undefined);
  });

  it('formats PRI (facility 10, notice or warning), version 1, timestamp, host, app, MSGID and the event as JSON', () => {
    const ok = normalizeEvent({ actor: 'a', actorType: 'user', action: '110112', actionCode: 'E', outcome: 0 }, GENESIS_HASH);
    const line = formatSyslog(ok, 'pacs host');
    const match = /^<85>1 (\S+) pacshost pacs \d+ PACS-AUDIT-JSON - \uFEFF(.*)$/.exec(line);
    assert.ok(match, line);
    assert.equal(match[1], ok.time);
    assert.equal(JSON.parse(match[2]).hash, ok.hash);
    const failed = normalizeEvent({ actor: 'a', actorType: 'user', action: '110113', actionCode: 'E', outcome: 4 }, GENESIS_HASH);
    assert.match(formatSyslog(failed, 'h'), /^<84>1 /);
  });
});
