import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { httpErrorBody } from '../http-error.filter';

/**
 * Answers on the socket itself and closes it, for what ends before or outside a Fastify reply:
 * a request Node could not parse, one that ran out of time. Written and closed as Node does for
 * its own 400 and 408 (the answer is small enough to leave at once). Nothing is written when
 * part of an answer already went out: the client would read a corrupt answer, and the closed
 * connection tells it the answer is incomplete.
 */
export function answerAndClose(socket: Duplex, status: number, message: string, answer: { started: boolean; correlationId: string }): void {
  if (socket.writable && !answer.started) {
    const body = JSON.stringify(httpErrorBody(status, message, answer.correlationId));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
