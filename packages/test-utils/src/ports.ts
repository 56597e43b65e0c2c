import net from 'node:net';

/** Ports that belong to someone else on this machine (a shared Redis runs on 6379). */
const RESERVED = new Set([6379, 6380, 26379]);

/**
 * A port that was free on 127.0.0.1 a moment ago. Another process can still
 * take it before we bind; callers that spawn servers retry on a bind failure.
 */
export async function getFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        const p = typeof addr === 'object' && addr !== null ? addr.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (port > 0 && !RESERVED.has(port)) return port;
  }
  throw new Error('getFreePort: no free loopback port found after 20 attempts');
}
