import { createSocket, Socket as UdpSocket } from 'node:dgram';
import { connect, Socket as TcpSocket } from 'node:net';
import type { AuditEvent } from './audit-event';
import { AuditSource, auditMessageXml } from './audit-message-xml';

/** RFC 5424 facility 10 (security/authorization), as IHE ATNA (ITI TF-2 3.20.4.1.2) asks. */
const FACILITY = 10;
const SEVERITY_NOTICE = 5;
const SEVERITY_WARNING = 4;
/**
 * MSGID naming the payload: IHE ATNA's (ITI TF-2 3.20.4.1.2) for the DICOM Audit Message XML
 * (PS3.15 A.5.1), ours for the event as JSON (with every field and the chain hash).
 */
export const SYSLOG_MSGIDS = { dicom: 'IHE+RFC-3881', json: 'PACS-AUDIT-JSON' } as const;
export type SyslogFormat = keyof typeof SYSLOG_MSGIDS;
const BOM = '\uFEFF';

export interface SyslogTarget {
  protocol: 'udp' | 'tcp';
  host: string;
  port: number;
}

/** Parses `udp://host:514` or `tcp://host:6514`; undefined when the text is not such a URL. */
export function parseSyslogUrl(text: string): SyslogTarget | undefined {
  const match = /^(udp|tcp):\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { protocol: match[1] as 'udp' | 'tcp', host: match[2].replace(/^\[|\]$/g, ''), port };
}

/**
 * One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - BOM MSG`, the MSG
 * being the stored event as a DICOM Audit Message (XML) or as JSON.
 */
export function formatSyslog(event: AuditEvent, format: SyslogFormat, source: AuditSource): string {
  const severity = event.outcome === 0 ? SEVERITY_NOTICE : SEVERITY_WARNING;
  const pri = FACILITY * 8 + severity;
  const body = format === 'dicom' ? `<?xml version="1.0" encoding="UTF-8"?>${auditMessageXml(event, source)}` : JSON.stringify(event);
  return `<${pri}>1 ${event.time} ${header(source.sourceId)} pacs ${process.pid} ${SYSLOG_MSGIDS[format]} - ${BOM}${body}`;
}

/** RFC 5424 6.2.4: printable US-ASCII, at most 255 characters, NILVALUE when empty. */
function header(text: string): string {
  const clean = text.replace(/[^\x21-\x7e]/g, '').slice(0, 255);
  return clean || '-';
}

/**
 * Best-effort forwarding to a syslog collector (IHE ATNA Audit Record Repository): UDP per
 * RFC 5426, or TCP with octet-counting framing (RFC 6587 3.4.1, as RFC 5425 frames TLS).
 * The database row is the record of truth; a lost datagram loses nothing there.
 */
export class SyslogForwarder {
  private udp: UdpSocket | undefined;
  private tcp: TcpSocket | undefined;

  constructor(
    private readonly target: SyslogTarget,
    private readonly onError: (err: Error) => void,
    private readonly format: SyslogFormat,
    private readonly source: AuditSource,
  ) {}

  send(events: readonly AuditEvent[]): void {
    for (const event of events) {
      const message = Buffer.from(formatSyslog(event, this.format, this.source), 'utf8');
      if (this.target.protocol === 'udp') this.sendUdp(message);
      else this.sendTcp(message);
    }
  }

  close(): void {
    this.udp?.close();
    this.tcp?.end();
    this.udp = undefined;
    this.tcp = undefined;
  }

  private sendUdp(message: Buffer): void {
    if (!this.udp) {
      this.udp = createSocket(this.target.host.includes(':') ? 'udp6' : 'udp4');
      this.udp.on('error', this.onError);
      this.udp.unref();
    }
    this.udp.send(message, this.target.port, this.target.host, (err) => err && this.onError(err));
  }

  private sendTcp(message: Buffer): void {
    if (!this.tcp || this.tcp.destroyed) {
      const socket = connect(this.target.port, this.target.host);
      socket.on('error', (err) => {
        this.onError(err);
        socket.destroy();
      });
      socket.unref();
      this.tcp = socket;
    }
    this.tcp.write(Buffer.concat([Buffer.from(`${message.length} `), message]));
  }
}
