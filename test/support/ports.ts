// Free TCP ports for servers started by the tests.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports come from below the kernel's ephemeral range. A port from listen(0) is ephemeral: between
 * the probe and the server's own listen, an outgoing connection (the server's PostgreSQL pool,
 * an HTTP client) can be given it as its local port, and the listen then fails with EADDRINUSE
 * (seen in CI: the TLS suite's DIMSE TLS port). Below the range no connection gets one.
 */
const LOW = 20000;
const HIGH = ephemeralStart();
const handedOut = new Set<number>();

function ephemeralStart(): number {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > LOW + 1000 ? start : 32768;
  } catch {
    return 32768;
  }
}

/** A port nothing listens on now (on any address) and not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port in ${LOW}-${HIGH - 1}`);
}

/**
 * `count` consecutive free ports, for a server that binds several ports of a range it is given
 * (a Ceph daemon's `ms bind port min/max`): the block is checked and reserved whole.
 */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = LOW + Math.floor(Math.random() * (HIGH - LOW - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (ports.some((p) => handedOut.has(p))) continue;
    if (!(await everyListens(ports))) continue;
    for (const p of ports) handedOut.add(p);
    return base;
  }
  throw new Error(`no ${count} consecutive free ports in ${LOW}-${HIGH - 1}`);
}

async function everyListens(ports: number[]): Promise<boolean> {
  for (const port of ports) if (!(await canListen(port))) return false;
  return true;
}

/** Listens on every address (as the servers do), then closes. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}
