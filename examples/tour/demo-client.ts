/**
 * With `--once`, the tour proves step 8 the way a user would with nc: a
 * plain TCP client (node:net, not the reactor: it stands for another
 * program) connects to the tour server, sends a few lines, and prints the
 * exchange.
 */
import * as net from 'node:net';
import { say } from './output.js';
import { withTimeout } from './step.js';

/** Sends each line and waits for one reply line per command (the greeting first). */
export async function talkToServer(host: string, port: number, lines: string[]): Promise<void> {
  const sock = net.connect(port, host);
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
    await withTimeout(new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject)), 5000, 'connect');
    say(`$ nc ${host} ${port}        (a client connected by the tour itself, because of --once)`);
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
