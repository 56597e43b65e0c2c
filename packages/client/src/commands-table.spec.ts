// The generated command table against the live server it came from: the
// committed table, declarations and mini-redis's COMMAND INFO / DOCS rows are what the generator prints now, every
// command and subcommand the server lists has a method (or is documented as
// deliberately absent), and the key specs find the keys the server itself
// finds (COMMAND GETKEYS).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMAND_TABLE, commandKeys, specOfArgv } from '@reactor-ts/commands';
import { rawCall } from '@reactor-ts/test-utils';
import { readDocs, renderDocs } from '../scripts/gen-docs.js';
import { readCommands, renderMethods, renderTable } from '../scripts/gen-lib.js';
import { ABSENT_COMMANDS, Pipeline, RedisClient, Transaction } from './index.js';
import { clientSuite } from '../test/helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const suite = clientSuite();

describe('the generated command table', () => {
  it('is up to date with the server (regenerated in memory and compared with the committed files)', async () => {
    const { version, commands } = await readCommands(suite.srv.port);
    const table = readFileSync(path.resolve(here, '../../commands/src/table.ts'), 'utf8');
    const methods = readFileSync(path.resolve(here, 'methods.generated.ts'), 'utf8');
    // toBe on whole files would print 200 KB; compare line counts first, then the first differing line.
    const firstDiff = (a: string, b: string): string | null => {
      const x = a.split('\n');
      const y = b.split('\n');
      for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return `line ${i + 1}:\n  committed: ${y[i]?.slice(0, 300)}\n  generated: ${x[i]?.slice(0, 300)}`;
      return null;
    };
    expect(firstDiff(renderTable(version, commands), table), 'run `pnpm --filter @reactor-ts/client gen:commands`').toBeNull();
    expect(firstDiff(renderMethods(version, commands), methods), 'run `pnpm --filter @reactor-ts/client gen:commands`').toBeNull();
    expect(COMMAND_TABLE.length).toBe(commands.length);
    const docs = readFileSync(path.resolve(here, '../../mini-redis/src/redis-commands.generated.ts'), 'utf8');
    expect(firstDiff(renderDocs(version, await readDocs(suite.srv.port)), docs), 'run `pnpm --filter @reactor-ts/client gen:commands`').toBeNull();
  });

  it('has every command and subcommand of COMMAND, each with a method on the client, pipeline and multi, except the absent list', async () => {
    const list = (await rawCall(suite.srv.port, ['COMMAND'])) as unknown[][];
    const names: string[] = [];
    for (const row of list) {
      const subs = (row[9] ?? []) as unknown[][];
      if (subs.length === 0) names.push(String(row[0]));
      for (const s of subs) names.push(String(s[0]));
    }
    expect(names.length).toBeGreaterThan(340);
    const byName = new Map(COMMAND_TABLE.map((c) => [c.name, c]));
    const missing: string[] = [];
    for (const name of names) {
      const spec = byName.get(name);
      if (spec === undefined) {
        missing.push(`${name} (not in the table)`);
        continue;
      }
      if (ABSENT_COMMANDS[name] !== undefined) continue;
      for (const proto of [RedisClient.prototype, Pipeline.prototype, Transaction.prototype]) {
        if (typeof (proto as unknown as Record<string, unknown>)[spec.method] !== 'function') missing.push(`${name} → ${spec.method} on ${proto.constructor.name}`);
      }
    }
    expect(missing).toEqual([]);
    // The absent list names only commands that exist, so it cannot rot silently.
    for (const name of Object.keys(ABSENT_COMMANDS)) expect(byName.has(name), name).toBe(true);
  });

  it('finds the same keys as COMMAND GETKEYS for single, multi-key, keyword and numkeys commands', async () => {
    const argvs: string[][] = [
      ['GET', 'a'],
      ['SET', 'a', '1', 'EX', '10'],
      ['MSET', 'a', '1', 'b', '2', 'c', '3'],
      ['DEL', 'a', 'b', 'c'],
      ['EVAL', 'return 1', '2', 'k1', 'k2', 'arg'],
      ['ZUNIONSTORE', 'dst', '2', 'z1', 'z2', 'WEIGHTS', '1', '2'],
      ['XREAD', 'COUNT', '2', 'STREAMS', 's1', 's2', '0', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's1', '>'],
      ['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'],
      ['OBJECT', 'ENCODING', 'k'],
      ['MIGRATE', '127.0.0.1', '1', '', '0', '10', 'KEYS', 'k1', 'k2'],
      ['GEOSEARCHSTORE', 'dst', 'src', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'km'],
      ['SINTERCARD', '2', 's1', 's2', 'LIMIT', '1'],
      ['LMPOP', '2', 'l1', 'l2', 'LEFT'],
      ['BITOP', 'AND', 'dst', 'a', 'b'],
    ];
    for (const argv of argvs) {
      const server = (await rawCall(suite.srv.port, ['COMMAND', 'GETKEYS', ...argv])) as string[];
      expect(commandKeys(argv), argv.join(' ')).toEqual(server);
    }
    expect(specOfArgv(['client', 'list'])?.method).toBe('clientList');
    expect(specOfArgv(['CONFIG', 'GET', 'x'])?.keySpecs).toEqual([]);
  });
});
