/**
 * A free TCP port on loopback, for test and bench servers: bind port 0, read what the kernel chose,
 * release it. (Another process could take it in between; on a test machine that is rare enough.)
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
