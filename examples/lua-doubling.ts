// The article's Lua doubling example (§3.3.2): EVAL, SCRIPT LOAD, EVALSHA, then a script object.
// Run:  npx tsx --conditions=source examples/lua-doubling.ts --url redis://127.0.0.1:PORT
// (--url defaults to $REDIS_URL, else redis://127.0.0.1:6379; it writes the keys `mark` and `darren`)
//
// Prints the article's results: mark=1 → EVAL → 2, EVALSHA → 4, and 0 for a
// missing key. Then the practice the article recommends: a script object that
// knows its SHA1 without asking, runs by EVALSHA, and survives a SCRIPT FLUSH.
import { createClient, defineScript, ReplyError } from '@reactor-ts/client';
import { parseClientArgs } from './lib/cli.js';

const { url } = parseClientArgs();

/** The article's script (its extraction lost `val = redis.call(` twice). */
const DOUBLING =
  "local val = redis.call('get', KEYS[1]); if val then redis.call('set', KEYS[1], 2*val); return 2*val; end; return 0;";

const client = await createClient({ url }).connect();
try {
  await client.del('darren');
  console.log('set mark 1 ->', await client.set('mark', 1));
  // Test use: the whole script each time.
  console.log('eval ... 1 mark ->', await client.eval(DOUBLING, ['mark']));
  console.log('eval ... 1 darren ->', await client.eval(DOUBLING, ['darren']));
  // Actual use: cache it once, then send only its 40-character SHA1.
  const sha = await client.scriptLoad(DOUBLING);
  console.log('script load ... ->', sha);
  console.log(`evalsha ${sha} 1 mark ->`, await client.evalsha(sha, ['mark']));
  console.log('script exists ->', await client.scriptExists(sha));

  // A script object: the SHA1 is computed locally and matches SCRIPT LOAD's.
  const doubling = defineScript(DOUBLING, { numberOfKeys: 1 });
  console.log('local sha1 matches:', doubling.sha1 === sha);
  console.log('script flush ->', await client.scriptFlush()); // the article's "hot update"
  console.log('script object, 1 mark (NOSCRIPT, recovered) ->', await doubling.call(client, 'mark'));
  console.log('script object, 1 mark (EVALSHA) ->', await doubling.call(client, 'mark'));
} catch (err) {
  console.error(err instanceof ReplyError ? `Redis error: ${err.message}` : err);
  process.exitCode = 1;
} finally {
  await client.quit();
}
