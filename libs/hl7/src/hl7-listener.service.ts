import { createServer, Server, Socket } from 'node:net';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { Hl7Messages } from './hl7-messages.service';
import { MllpDecoder, MllpEvent, mllpFrame } from './mllp-decoder';

/** Largest message taken; a larger frame is answered AR and dropped as it arrives. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** How long shutdown waits for messages under way before closing connections. */
const DRAIN_TIMEOUT_MS = 10_000;
/** At most one warning per this interval about connections refused over the cap. */
const REFUSED_LOG_INTERVAL_MS = 10_000;

/**
 * The MLLP listener (PACS_HL7_PORT), on every interface like the DICOM port. Each connection
 * is read through an MllpDecoder and its messages are answered one at a time, in order
 * (HL7 v2.5 2.9.2: the sender waits for each ACK); while one is processed the socket is paused,
 * so a fast sender is held by TCP, not by memory. Connections are capped
 * (PACS_HL7_MAX_CONNECTIONS) and closed after PACS_HL7_IDLE_TIMEOUT_MS without a byte.
 */
@Injectable()
export class Hl7Listener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('Hl7');
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly config: PacsConfig,
    private readonly messages: Hl7Messages,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.hl7.port;
    if (port === null) return;
    const server = createServer((socket) => this.serve(socket));
    server.maxConnections = this.config.hl7.maxConnections;
    let quietUntil = 0;
    server.on('drop', (peer?: { remoteAddress?: string }) => {
      if (Date.now() < quietUntil) return;
      quietUntil = Date.now() + REFUSED_LOG_INTERVAL_MS;
      this.log.warn({ msg: `connection refused: ${server.maxConnections} connections open (PACS_HL7_MAX_CONNECTIONS)`, remoteAddress: peer?.remoteAddress });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.log.log({ msg: 'HL7 MLLP listening', port, allowedSenders: this.config.hl7.allowedSenders });
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.close();
    const drained = Promise.allSettled([...this.inFlight]).then(() => true);
    const idle = await Promise.race([drained, new Promise<false>((r) => setTimeout(r, DRAIN_TIMEOUT_MS, false).unref())]);
    if (!idle) this.log.warn({ msg: 'HL7 shutdown: messages still under way, closing anyway', inFlight: this.inFlight.size });
    for (const socket of this.sockets) socket.destroy();
  }

  private serve(socket: Socket): void {
    const remoteAddress = socket.remoteAddress;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.config.hl7.idleTimeoutMs, () => {
      this.log.log({ msg: 'HL7 connection closed: idle', remoteAddress, idleTimeoutMs: this.config.hl7.idleTimeoutMs });
      socket.destroy();
    });
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', (err) => this.log.debug({ msg: 'HL7 connection error', remoteAddress, err: err.message }));
    const decoder = new MllpDecoder(MAX_MESSAGE_BYTES);
    let queue = Promise.resolve();
    let pending = 0;
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        pending++;
        socket.pause();
        queue = queue.then(() => this.track(this.answer(socket, event, remoteAddress))).finally(() => {
          if (--pending === 0 && !socket.destroyed) socket.resume();
        });
      }
    });
  }

  private async answer(socket: Socket, event: MllpEvent, remoteAddress?: string): Promise<void> {
    if (event.kind === 'discarded') {
      this.log.warn({ msg: `HL7 bytes dropped: ${event.why}`, bytes: event.bytes, remoteAddress });
      return;
    }
    try {
      const ack = event.kind === 'frame' ? await this.messages.handle(event.bytes, remoteAddress) : await this.messages.oversized(event.head, MAX_MESSAGE_BYTES, remoteAddress);
      if (!socket.destroyed) socket.write(mllpFrame(ack));
    } catch (err) {
      this.log.error({ msg: 'HL7 message not answered', remoteAddress, err: String(err) });
    }
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

}
