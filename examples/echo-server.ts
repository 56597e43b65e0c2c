// The article's reactor as an echo server: accept, read into e.in, queue the
// same bytes into e.out, let the reactor flush them after the batch.
// Run:  npx tsx --conditions=source examples/echo-server.ts --port 0 [--host 127.0.0.1] [--step]
// Try:  nc 127.0.0.1 PORT   (type a line, get it back; Ctrl-C stops the server)
// --step drives the loop by hand with eventloopOnce() and prints each batch,
// the way the article's eventloop() calls eventloop_once() (see the README).
import {
  EV_READ,
  createReactor,
  eventBufferRead,
  eventBufferWrite,
  type ReactorEvent,
} from '@reactor-ts/reactor';
import { onShutdown, parseServerArgs } from './lib/cli.js';

const { port, host, extra } = parseServerArgs({ step: { type: 'boolean' } });
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
  { host },
);
console.log(`listening on ${host}:${bound}`);

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
