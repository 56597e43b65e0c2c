/**
 * Regenerates the command table and the typed method declarations from a
 * redis-server of our own (never 6379):
 *   pnpm --filter @reactor-ts/client gen:commands
 * Writes packages/commands/src/table.ts, packages/client/src/methods.generated.ts and
 * packages/mini-redis/src/redis-commands.generated.ts (COMMAND INFO / DOCS as
 * mini-redis replays them); commands-table.spec.ts fails when any is out of
 * date with the server.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis } from '@reactor-ts/test-utils';
import { readDocs, renderDocs } from './gen-docs.js';
import { readCommands, renderMethods, renderTable } from './gen-lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const srv = await startRedis();
try {
  const { version, commands } = await readCommands(srv.port);
  const table = path.resolve(here, '../../commands/src/table.ts');
  const methods = path.resolve(here, '../src/methods.generated.ts');
  writeFileSync(table, renderTable(version, commands));
  writeFileSync(methods, renderMethods(version, commands));
  const docs = path.resolve(here, '../../mini-redis/src/redis-commands.generated.ts');
  writeFileSync(docs, renderDocs(version, await readDocs(srv.port)));
  const rel = (p: string): string => path.relative(process.cwd(), p);
  console.log(`redis-server ${version}: ${commands.length} commands and subcommands → ${rel(table)}, ${rel(methods)}, ${rel(docs)}`);
} finally {
  await srv.stop();
}
