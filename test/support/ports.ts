// Free TCP ports on the loopback interface for servers started by the tests.
import { createServer } from 'node:net';

/** Asks the kernel for a free port (listen on :0, read it, close); racy only in theory. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
