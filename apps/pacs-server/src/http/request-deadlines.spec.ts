import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { BurstLog } from './burst-log';
import { AnswersInFlight, RequestDeadlines } from './request-deadlines';

const IDLE_MS = 1000;

/** A socket that records what the deadline handler does to it. */
function fakeSocket(writableLength = 0) {
  const socket = { written: '', destroyed: false, rearmed: 0, writable: true, writableLength, remoteAddress: '10.0.0.9' };
  return Object.assign(socket, {
    write: (text: string) => void (socket.written += text),
    destroy: () => void (socket.destroyed = true),
    setTimeout: () => void socket.rearmed++,
  });
}

/** Runs the onRequest hook AnswersInFlight adds, for one request on `socket`. */
function inFlight(socket: object, request: { complete: boolean; readableFlowing: boolean | null }, headersSent = false): RequestDeadlines {
  const answers = new AnswersInFlight();
  let hook: (request: unknown, reply: unknown, done: () => void) => void = () => undefined;
  answers.track({ addHook: (_name: string, fn: typeof hook) => (hook = fn) } as unknown as FastifyInstance);
  const response = Object.assign(new EventEmitter(), { req: { ...request, method: 'POST' }, headersSent });
  hook({ id: 'req-7', raw: { socket } }, { raw: response }, () => undefined);
  return new RequestDeadlines({ idleTimeoutMs: IDLE_MS, requestTimeoutMs: 3000 }, answers, new BurstLog(new Logger('test')));
}

describe('HTTP idle timeout: what a silent connection gets', () => {
  it('a request whose body stopped arriving: a JSON 408 with the request id, and the connection closed', () => {
    const socket = fakeSocket();
    inFlight(socket, { complete: false, readableFlowing: true }).idle(socket as unknown as Socket);
    assert.match(socket.written, /^HTTP\/1\.1 408 Request Timeout\r\n[^]*Connection: close\r\n\r\n/);
    const body = JSON.parse(socket.written.split('\r\n\r\n')[1]);
    assert.deepEqual([body.error, body.correlationId], ['request-timeout', 'req-7']);
    assert.match(body.message, /PACS_HTTP_IDLE_TIMEOUT_MS/);
    assert.equal(socket.destroyed, true);
  });

  it('nothing written when part of the answer already went out; the connection is closed', () => {
    const socket = fakeSocket();
    inFlight(socket, { complete: false, readableFlowing: true }, true).idle(socket as unknown as Socket);
    assert.deepEqual([socket.written, socket.destroyed], ['', true]);
  });

  it('a body the server paused itself (STOW-RS backpressure): left open, the timer armed again', () => {
    const socket = fakeSocket();
    inFlight(socket, { complete: false, readableFlowing: false }).idle(socket as unknown as Socket);
    assert.deepEqual([socket.written, socket.destroyed, socket.rearmed], ['', false, 1]);
  });

  it('a complete request the server is still answering: left open', () => {
    const socket = fakeSocket();
    inFlight(socket, { complete: true, readableFlowing: null }).idle(socket as unknown as Socket);
    assert.deepEqual([socket.written, socket.destroyed], ['', false]);
  });

  it('a client that stopped reading its answer: closed', () => {
    const socket = fakeSocket(64 * 1024);
    inFlight(socket, { complete: true, readableFlowing: null }).idle(socket as unknown as Socket);
    assert.deepEqual([socket.written, socket.destroyed], ['', true]);
  });

  it('a connection with no request under way (keep-alive, or nothing sent): closed without a word', () => {
    const socket = fakeSocket();
    const deadlines = new RequestDeadlines({ idleTimeoutMs: IDLE_MS, requestTimeoutMs: 3000 }, new AnswersInFlight(), new BurstLog(new Logger('test')));
    deadlines.idle(socket as unknown as Socket);
    assert.deepEqual([socket.written, socket.destroyed], ['', true]);
  });
});
