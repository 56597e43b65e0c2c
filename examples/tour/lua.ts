/**
 * Step 6, the article's §3.3: the doubling script. EVAL while testing,
 * SCRIPT LOAD + EVALSHA in practice (only the 40-character SHA1 travels),
 * and a script object that knows its SHA1 and falls back to EVAL by itself.
 * It runs on every target, the embedded mini-redis included (its Lua is
 * fengari, Lua 5.3 in JS: packages/mini-redis/README.md says what differs
 * from Redis's Lua 5.1).
 */
import { defineScript } from '@reactor-ts/client';
import { heading, say } from './output.js';
import { withClients } from './clients.js';
import { isUnknownCommand, SkipStep, type TourContext } from './step.js';

/** The article's script; its extraction lost `val = redis.call(` twice. */
const DOUBLING =
  "local val = redis.call('get', KEYS[1]); if val then redis.call('set', KEYS[1], 2*val); return 2*val; end; return 0;";

export async function luaDoubling(ctx: TourContext): Promise<void> {
  heading(6, 'The Lua doubling script', '§3.3 lua script');
  say(`script: ${DOUBLING}`);
  try {
    await withClients(ctx, 1, async ([client]) => {
      const c = client!;
      await c.set('tour:mark', 1);
      await c.del('tour:darren');
      say('SET tour:mark 1');
      say(`EVAL script 1 tour:mark     -> (integer) ${String(await c.eval(DOUBLING, ['tour:mark']))}`);
      const sha = await c.scriptLoad(DOUBLING);
      say(`SCRIPT LOAD script          -> "${sha}"`);
      say(`EVALSHA ${sha.slice(0, 8)}... 1 tour:mark -> (integer) ${String(await c.evalsha(sha, ['tour:mark']))}`);
      say(`EVAL script 1 tour:darren   -> (integer) ${String(await c.eval(DOUBLING, ['tour:darren']))}   (no such key)`);
      const doubling = defineScript(DOUBLING, { numberOfKeys: 1 });
      say(`defineScript(...).call(client, 'tour:mark') -> ${String(await doubling.call(client!, 'tour:mark'))}   (EVALSHA; EVAL only if the cache lost it)`);
    });
  } catch (err) {
    if (isUnknownCommand(err)) throw new SkipStep(`skipped: the target has no scripting (${(err as Error).message.split(',')[0]})`);
    throw err;
  }
}
