// The article's reactor as an echo server: accept, read into e.in, queue the
// same bytes into e.out, let the reactor flush them after the batch.
// Run:  npx tsx --conditions=source examples/echo-server.ts --port 0 [--host 127.0.0.1] [--step]
// Try:  nc 127.0.0.1 PORT   (type a line, get it back; Ctrl-C stops the server)
// --step drives the loop by hand with eventloopOnce() and prints each batch,
// the way the article's eventloop() calls eventloop_once() (see the README).
// TLS:  ... examples/echo-server.ts --port 0 --tls --tls-cert server.crt --tls-key server.key
//       then  openssl s_client -connect 127.0.0.1:PORT -CAfile ca.crt   (the README's TLS
//       section shows how to make the certificates with openssl). Same handlers, same events:
//       the reactor hands acceptFn a socket whose handshake is already done.
import { readFileSync } from 'node:fs';
import {
  EV_READ,
  createReactor,
  eventBufferRead,
  eventBufferWrite,
  type ReactorEvent,
  type ServerTlsOptions,
} from '@reactor-ts/reactor';
import { onShutdown, parseServerArgs } from './lib/cli.js';

const { port, host, extra } = parseServerArgs({
  step: { type: 'boolean' },
  tls: { type: 'boolean' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
});

/** --tls with --tls-cert/--tls-key (PEM files); exits with a message when one is missing or unreadable. */
function tlsOptions(): ServerTlsOptions | undefined {
  if (extra['tls'] !== true) return undefined;
  const certFile = extra['tls-cert'];
  const keyFile = extra['tls-key'];
  if (typeof certFile !== 'string' || typeof keyFile !== 'string') {
    console.error('--tls needs --tls-cert FILE and --tls-key FILE (PEM)');
    process.exit(2);
  }
  try {
    return {
      cert: readFileSync(certFile),
      key: readFileSync(keyFile),
      // A client that fails its handshake never reaches acceptFn; say why here.
      onHandshakeError: (err) => console.error(`TLS client refused: ${err.message}`),
    };
  } catch (err) {
    console.error(`cannot read the TLS certificate or key: ${(err as Error).message}`);
    process.exit(2);
  }
}

const tls = tlsOptions();
const reactor = createReactor();

// read_fn: everything that arrived goes straight back.
function onRead(e: ReactorEvent): void {
  const n = eventBufferRead(e);
  eventBufferWrite(e, e.in.pullup(n)); // copies into e.out
  e.in.drain(n);
}

// error_fn: EOF (the client closed) or a socket error. delEvent still sends
// whatever is queued in e.out before closing.
function onError(e: ReactorEvent): void {
  reactor.delEvent(e);
}

const bound = await reactor.createServer(
  port,
  (socket) => {
    const e = reactor.newEvent(socket, onRead, null, onError);
    reactor.addEvent(e, EV_READ);
  },
  tls === undefined ? { host } : { host, tls },
);
console.log(`listening on ${host}:${bound}${tls === undefined ? '' : ' (TLS)'}`);

let stopping = false;
onShutdown(() => {
  stopping = true;
  reactor.release(); // release() also ends eventloop() / a waiting eventloopOnce()
});
if (extra['step'] === true) {
  while (!stopping) {
    const n = await reactor.eventloopOnce(5000); // epoll_wait(..., 5000)
    if (stopping) break;
    console.log(n === 0 ? 'no events for 5 s' : `batch: ${n} dispatched, ${reactor.size} events alive`);
  }
} else {
  await reactor.eventloop();
}
console.log('stopped');
