// A bare TCP connection to the HTTP port, for what no HTTP client sends: bodies that stall or
// trickle, lying Content-Lengths, requests without Host, floods of idle connections.
import { connect, Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string;
  json<T = any>(): T;
}

export interface RawHttpConnection {
  socket: Socket;
  /** The first complete answer (status line, headers, Content-Length body); rejects if the connection closes before it. */
  answer(): Promise<RawAnswer>;
  /** Resolves once the server (or the client) closed the connection. */
  closed: Promise<void>;
  /** Whether the connection was closed within `ms` from now. */
  closedWithin(ms: number): Promise<boolean>;
}

/** Opens a connection from `localAddress` (any 127.x.y.z on Linux: another client for the server). */
export async function rawHttp(port: number, localAddress = '127.0.0.1'): Promise<RawHttpConnection> {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let data = Buffer.alloc(0);
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    data = Buffer.concat([data, chunk]);
    waiters.splice(0).forEach((wake) => wake());
  });
  socket.on('error', () => undefined);
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      waiters.splice(0).forEach((wake) => wake());
      resolve();
    }),
  );
  const answer = async (): Promise<RawAnswer> => {
    for (;;) {
      const parsed = parseAnswer(data);
      if (parsed) return parsed;
      if (isClosed) throw new Error(`connection closed without a complete answer: ${JSON.stringify(data.toString('latin1'))}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const closedWithin = (ms: number) =>
    Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
  return { socket, answer, closed, closedWithin };
}

function parseAnswer(data: Buffer): RawAnswer | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  if (data.length < end + 4 + length) return undefined;
  const body = data.subarray(end + 4, end + 4 + length).toString('utf8');
  return { status: Number(statusLine.split(' ')[1]), headers, body, json: () => JSON.parse(body) };
}

/** The request head of `method path`, CRLF-terminated, with the given headers (Host included unless null). */
export function requestHead(method: string, path: string, headers: Record<string, string | number | null> = {}): string {
  const all: Record<string, string | number | null> = { host: 'pacs.test', ...headers };
  const lines = Object.entries(all)
    .filter(([, value]) => value !== null)
    .map(([name, value]) => `${name}: ${value}`);
  return [`${method} ${path} HTTP/1.1`, ...lines, '', ''].join('\r\n');
}
