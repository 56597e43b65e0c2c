/**
 * Connect/disconnect soak of the reactor, run in a child process with
 * --expose-gc by soak.spec.ts:
 *
 *   node --import tsx --conditions=source --expose-gc reliability/scripts/soak-reactor.ts <cycles>
 *
 * One reactor is both an echo server and its clients: each cycle connects
 * (reactor.connect), arms a guard timer, writes a line, reads the echo,
 * deletes the guard and closes; 100 cycles run at a time. Every fourth
 * client closes before its echo arrives instead (the server then sees EOF,
 * or a reset). Prints one JSON line: cycles done, heap after a forced GC
 * after warm-up and at the end, and the slot and timer tables.
 */
import { createReactor, EV_READ, EV_WRITE, type ReactorEvent } from '@reactor-ts/reactor';
import { eventBufferWrite } from '@reactor-ts/reactor';
import { heapAfterGc, tablesOf } from '../src/introspect.js';

const total = Number(process.argv[2]);
const PARALLEL = 100;
const WARMUP = Math.min(2000, Math.floor(total / 10));

const r = createReactor({ maxConn: 4 * PARALLEL + 16 });
const port = await r.createServer(0, (socket) => {
  const e = r.newEvent(
    socket,
    (ev) => {
      const n = ev.in.length;
      if (n > 0) eventBufferWrite(ev, ev.in.remove(n));
    },
    null,
    (ev) => r.delEvent(ev),
  );
  r.addEvent(e, EV_READ);
}, { host: '127.0.0.1' });

let started = 0;
let finished = 0;
let echoed = 0;
let abandoned = 0;
let failures = 0;
let heapStart = 0;
let resolveDone: () => void = () => undefined;
const done = new Promise<void>((res) => (resolveDone = res));

function finish(e: ReactorEvent, guard: number): void {
  r.delTimer(guard);
  r.delEvent(e);
  finished++;
  if (finished === WARMUP) heapStart = heapAfterGc();
  if (started < total) cycle();
  else if (finished === total) resolveDone();
}

function cycle(): void {
  const i = started++;
  const e = r.connect(port, '127.0.0.1');
  const guard = r.addTimer(10_000, () => {
    failures++;
    finish(e, 0);
  });
  const line = `cycle ${i}\n`;
  e.writeFn = (ev) => {
    r.enableEvent(ev, true, false);
    eventBufferWrite(ev, line);
    if (i % 4 === 3) {
      // Drop it mid-exchange: the server sees EOF (or a reset) and frees its side.
      abandoned++;
      finish(ev, guard);
    }
  };
  e.readFn = (ev) => {
    if (ev.in.length < line.length) return;
    ev.in.drain(ev.in.length);
    echoed++;
    finish(ev, guard);
  };
  e.errorFn = () => {
    failures++;
    finish(e, guard);
  };
  r.addEvent(e, EV_WRITE);
}

const loop = r.eventloop();
for (let k = 0; k < PARALLEL && started < total; k++) cycle();
await done;
// The server's side of the last connections closes on their EOF.
for (let k = 0; k < 200 && r.size > 1; k++) await new Promise((res) => setTimeout(res, 10));
const tables = tablesOf(r);
const heapEnd = heapAfterGc();
r.stopEventloop();
await loop;
r.release();
const afterRelease = tablesOf(r);
console.log(JSON.stringify({ cycles: finished, echoed, abandoned, failures, heapStart, heapEnd, ...tables, slotsAfterRelease: afterRelease.slots, timersAfterRelease: afterRelease.timers }));
