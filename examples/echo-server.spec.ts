// Runs examples/echo-server.ts as a user would (tsx, a child process): it
// prints its address, echoes, and stops cleanly on SIGTERM, in both modes.
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTlsCerts, type TlsCerts } from '@reactor-ts/test-utils';

const here = fileURLToPath(new URL('.', import.meta.url));

type Dial = (port: number, host: string, onConnect: () => void) => net.Socket;
const plain: Dial = (port, host, onConnect) => net.connect(port, host, onConnect);

async function runEchoServer(args: string[], dial: Dial = plain): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'echo-server.ts', ...args], {
    cwd: here,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const closed = new Promise<number | null>((res) => child.once('close', res));
  const address = await new Promise<[string, number]>((resolve, reject) => {
    const onData = (): void => {
      const m = /listening on (\S+):(\d+)/.exec(stdout);
      if (m) {
        child.stdout.off('data', onData);
        resolve([m[1]!, Number(m[2])]);
      }
    };
    child.stdout.on('data', onData);
    child.once('close', () => reject(new Error(`exited early: ${stdout}`)));
  });
  const [host, port] = address;
  expect(port).toBeGreaterThan(0);
  const reply = await new Promise<string>((resolve, reject) => {
    const s = dial(port, host, () => s.write('ping\n'));
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.length >= 5) {
        s.end();
        resolve(got);
      }
    });
    s.once('error', reject);
  });
  expect(reply).toBe('ping\n');
  child.kill('SIGTERM');
  expect(await closed).toBe(0);
  clearTimeout(killer);
  expect(stdout).toContain('stopped');
}

describe('examples/echo-server.ts', () => {
  it('echoes and stops on SIGTERM (eventloop)', () => runEchoServer(['--port', '0']));
  it('echoes and stops on SIGTERM (--step, eventloopOnce by hand)', () => runEchoServer(['--port', '0', '--step']));
});

describe('examples/echo-server.ts --tls', () => {
  let certs: TlsCerts;
  beforeAll(() => {
    certs = makeTlsCerts();
  });
  afterAll(() => certs?.remove());

  it('echoes over TLS to a client that verifies it against the CA', () =>
    runEchoServer(
      ['--port', '0', '--tls', '--tls-cert', certs.server.certFile, '--tls-key', certs.server.keyFile],
      (port, host, onConnect) => tls.connect({ port, host, ca: certs.ca.cert }, onConnect),
    ));

  it('refuses --tls without a certificate and key', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'echo-server.ts', '--tls'], {
      cwd: here,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((res) => child.once('close', res));
    expect(code).toBe(2);
    expect(stderr).toContain('--tls needs --tls-cert FILE and --tls-key FILE');
  });
});
