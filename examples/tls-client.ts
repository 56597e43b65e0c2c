// The promise client over TLS, mutual TLS included, and what a mistake looks like.
// Run:  npx tsx --conditions=source examples/tls-client.ts
// It makes its own certificates first (the openssl CLI: a CA, a server and a
// client certificate in a temporary folder, the commands the README's TLS
// section lists) and starts its own `redis-server --tls-port N --port 0
// --tls-auth-clients yes` on a free loopback port (needs redis-server built
// with TLS, as the Debian/Ubuntu and Homebrew packages are); both are removed
// at the end.
// Against your own server:  --url rediss://host:6380 --ca ca.crt [--cert client.crt --key client.key]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient, type ClientOptions } from '@reactor-ts/client';
import type { ClientTlsOptions } from '@reactor-ts/reactor';
import { makeTlsCerts, startRedis, type RedisServer, type TlsCerts } from '@reactor-ts/test-utils';

const { values } = parseArgs({
  options: { url: { type: 'string' }, ca: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' } },
});

let certs: TlsCerts | null = null;
let server: RedisServer | null = null;
let opts: ClientOptions;
if (values.url !== undefined) {
  const read = (file: string | undefined): Buffer | undefined => (file === undefined ? undefined : readFileSync(file));
  const tls: ClientTlsOptions = {};
  const ca = read(values.ca);
  const cert = read(values.cert);
  const key = read(values.key);
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  opts = { url: values.url, tls };
} else {
  console.log('making a CA, a server and a client certificate with openssl ...');
  certs = makeTlsCerts();
  server = await startRedis({ tls: { certs, authClients: 'yes' } });
  console.log(`redis-server serves TLS only on 127.0.0.1:${server.port} and wants a client certificate`);
  // Trust our CA, present our client certificate: mutual TLS.
  opts = { url: server.url, tls: { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key } };
}

const client = createClient(opts);
try {
  await client.connect();
  console.log(`PING -> ${await client.ping()}`);
  await client.set('example:tls', 'encrypted on the wire');
  console.log(`GET example:tls -> ${await client.get('example:tls')}`);
  const p = client.pipeline();
  for (let i = 0; i < 1000; i++) p.incr('example:tls:n');
  const replies = await p.exec();
  console.log(`a pipeline of ${replies.length} INCR over TLS, last reply ${String(replies.at(-1))}`);

  const sub = createClient(opts);
  await sub.connect();
  let deliver: (m: string) => void = () => {};
  const got = new Promise<string>((resolve) => (deliver = resolve));
  await sub.subscribe('example:tls:news', (m) => deliver(m));
  await client.publish('example:tls:news', 'hello over TLS');
  console.log(`pub/sub over TLS -> ${await got}`);
  await sub.quit();
  await client.del('example:tls', 'example:tls:n');
} finally {
  await client.quit().catch(() => client.disconnect());
}

if (certs !== null && server !== null) {
  // The mistakes people make first: each fails at connect, saying why.
  const mistakes: Array<[string, ClientOptions]> = [
    ['a CA that did not sign the server certificate', { url: server.url, tls: { ca: certs.otherCa.cert, cert: certs.client.cert, key: certs.client.key } }],
    ['a host name the certificate does not carry', { url: server.url, tls: { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key, servername: 'redis.example.com' } }],
    ['no client certificate (tls-auth-clients yes)', { url: server.url, tls: { ca: certs.ca.cert } }],
  ];
  for (const [what, o] of mistakes) {
    const c = createClient({ ...o, connectTimeout: 5000 });
    const err = await c.connect().then(
      () => null,
      (e: unknown) => e as Error,
    );
    console.log(`${what}: ${err === null ? 'connected?!' : err.message}`);
    await c.disconnect();
  }
}
await server?.stop();
certs?.remove();
