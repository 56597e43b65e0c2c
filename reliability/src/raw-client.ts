/**
 * A raw TCP client for hostile-client tests: it writes exactly the bytes it
 * is given and records every byte and the close, so a test can see the
 * server's error text and that the connection really ended.
 */
import * as net from 'node:net';

export class RawClient {
  readonly socket: net.Socket;
  received = '';
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.received += d.toString('latin1');
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    // A reset from a server closing on us is an expected outcome here.
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  write(bytes: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** Resolves when `pred` holds; rejects after `ms`. */
  until(pred: (c: RawClient) => boolean, ms = 10_000, what = 'condition'): Promise<void> {
    if (pred(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.received.slice(0, 200))}, closed=${this.closed}`)), ms);
      const check = (): void => {
        if (pred(this)) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  /** Sends `cmd` (RESP bytes) and waits for `expect` to appear in what was received after it. */
  async ask(cmd: string, expect: string, ms = 10_000): Promise<void> {
    const from = this.received.length;
    this.write(cmd);
    await this.until((c) => c.received.indexOf(expect, from) !== -1, ms, expect);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
