/**
 * With `--once`, the tour proves step 8 the way a user would with nc: a
 * plain TCP client (node:net, not the reactor: it stands for another
 * program) connects to the tour server, sends a few lines, and prints the
 * exchange. With the tour serving TLS, the client speaks TLS too and
 * verifies the server against `ca` (what `openssl s_client -CAfile` does).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { say } from './output.js';
import { withTimeout } from './step.js';

/** Sends each line and waits for one reply line per command (the greeting first). */
export async function talkToServer(host: string, port: number, lines: string[], ca?: Buffer): Promise<void> {
  const sock: net.Socket = ca === undefined ? net.connect(port, host) : tls.connect({ port, host, ca });
  const ready = ca === undefined ? 'connect' : 'secureConnect';
  sock.setEncoding('utf8');
  let buffered = '';
  let waiter: ((line: string) => void) | null = null;
  const queue: string[] = [];
  let failure: Error | null = null;
  sock.on('data', (chunk: string) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      queue.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
    if (waiter !== null && queue.length > 0) {
      const w = waiter;
      waiter = null;
      w(queue.shift()!);
    }
  });
  sock.on('error', (err) => (failure = err));
  const nextLine = (): Promise<string> =>
    withTimeout(
      new Promise<string>((resolve, reject) => {
        if (failure) return reject(failure);
        if (queue.length > 0) return resolve(queue.shift()!);
        waiter = resolve;
      }),
      5000,
      'the tour server',
    );
  try {
    await withTimeout(new Promise<void>((resolve, reject) => sock.once(ready, resolve).once('error', reject)), 5000, 'connect');
    const tool = ca === undefined ? `nc ${host} ${port}` : `openssl s_client -quiet -connect ${host}:${port} -CAfile ca.crt`;
    say(`$ ${tool}        (a client connected by the tour itself, because of --once)`);
    say(`  ${await nextLine()}`);
    for (const line of lines) {
      sock.write(`${line}\n`);
      say(`> ${line}`);
      say(`  ${await nextLine()}`);
    }
  } finally {
    sock.destroy();
  }
}
