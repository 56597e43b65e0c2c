// Shared by the callback layer's specs: a reactor loop bounded in time.
import type { Reactor } from '@reactor-ts/reactor';

/** Runs the reactor's loop until a callback calls stopEventloop(); stops it and fails after `ms`. */
export async function runLoop(r: Reactor, ms = 30_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      r.stopEventloop();
      reject(new Error(`the loop did not stop within ${ms} ms`));
    }, ms);
  });
  try {
    await Promise.race([r.eventloop(), guard]);
  } finally {
    clearTimeout(timer);
  }
}
