/**
 * The second output of the command-table generator: what mini-redis needs
 * to answer COMMAND INFO and COMMAND DOCS byte for byte as redis-server does
 * (packages/mini-redis/src/redis-commands.generated.ts).
 *
 * Why not table.ts: the client's table is semantic (flags become booleans,
 * sets become arrays) and drops what only a server needs (history, the
 * arguments' summaries and flags, doc_flags, key-spec notes). A server that
 * echoes Redis's replies needs their RESP3 types as well: a flag is a simple
 * string inside a set, a history is a set of arrays. So this module keeps
 * each top-level command's RESP3 COMMAND INFO row and COMMAND DOCS entry as
 * a typed tree (`DocTree`), one line per command, and mini-redis parses a
 * line only when a client asks for that command.
 *
 * The tree in JSON: a string is a bulk string, a number an integer, an
 * array an array; `{"~": [...]}` is a set, `{"+": ["a", "b"]}` a set of
 * simple strings (every flag, ACL category and tip is one: the short form
 * halves the file), and any other object a map (its keys bulk strings, in
 * wire order). Redis lists subcommands in its hash table's order, which
 * changes with every server start; they are kept sorted by name, so the
 * output is the same on every run.
 */
import { RespConnection } from '@reactor-ts/test-utils';

/** Marks a simple string while parsing; only sets of them survive into the output. */
const SIMPLE = '\u0000simple';

export type DocTree = string | number | DocTree[] | { readonly [key: string]: DocTree };

/** Parses one RESP3 reply (latin1 text, as RespConnection returns it) into a DocTree; throws on types docs never use. */
export function parseTree(text: string): DocTree {
  let at = 0;
  const line = (): string => {
    const end = text.indexOf('\r\n', at);
    if (end === -1) throw new Error(`parseTree: truncated at ${at}`);
    const s = text.slice(at, end);
    at = end + 2;
    return s;
  };
  const item = (): DocTree => {
    const type = text[at++];
    const head = line();
    switch (type) {
      case '$': {
        const n = Number(head);
        // The text is latin1; the bytes are UTF-8 (docs are ASCII today, but keep it right).
        const s = Buffer.from(text.slice(at, at + n), 'latin1').toString('utf8');
        at += n + 2;
        return s;
      }
      case '+':
        return { [SIMPLE]: head };
      case ':':
        return Number(head);
      case '*':
        return Array.from({ length: Number(head) }, item);
      case '~': {
        const items = Array.from({ length: Number(head) }, item);
        const simple = items.map((x) => (typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, DocTree>)[SIMPLE] : undefined));
        if (items.length > 0 && simple.every((x) => typeof x === 'string')) return { '+': simple as string[] };
        if (simple.some((x) => x !== undefined)) throw new Error('parseTree: a set mixes simple strings with other types');
        return { '~': items };
      }
      case '%': {
        const o: Record<string, DocTree> = {};
        for (let i = 0, n = Number(head); i < n; i++) {
          const k = item();
          // A map key must survive JSON object order: integer-like keys would move to the front.
          if (typeof k !== 'string' || /^\d+$/.test(k) || k === '~' || k === '+') throw new Error(`parseTree: map key ${JSON.stringify(k)} does not fit the encoding`);
          o[k] = item();
        }
        return o;
      }
      default:
        throw new Error(`parseTree: type ${JSON.stringify(type)} at ${at}`);
    }
  };
  const v = item();
  if (at !== text.length) throw new Error('parseTree: trailing bytes');
  if (JSON.stringify(v).includes(SIMPLE)) throw new Error('parseTree: a simple string outside a set has no encoding');
  return v;
}

/** Every top-level command's RESP3 COMMAND INFO row and COMMAND DOCS entry, by name. */
export async function readDocs(port: number): Promise<Map<string, { info: DocTree; docs: DocTree }>> {
  const c = await RespConnection.open(port);
  try {
    await c.command('HELLO', '3');
    const info = parseTree(await c.command('COMMAND', 'INFO'));
    const docs = parseTree(await c.command('COMMAND', 'DOCS'));
    if (!Array.isArray(info) || typeof docs !== 'object' || Array.isArray(docs)) throw new Error('readDocs: unexpected reply shapes');
    const byName = docs as Record<string, DocTree>;
    const out = new Map<string, { info: DocTree; docs: DocTree }>();
    for (const row of info) {
      const name = (row as DocTree[])[0] as string;
      out.set(name, { info: sortInfoSubcommands(row), docs: sortDocSubcommands(byName[name] ?? {}) });
    }
    return new Map([...out].sort(([a], [b]) => byKey(a, b)));
  } finally {
    c.close();
  }
}

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** An INFO row with its subcommand rows (element 9, an array) sorted by name. */
function sortInfoSubcommands(row: DocTree): DocTree {
  const r = [...(row as DocTree[])];
  const subs = r[9];
  if (Array.isArray(subs)) r[9] = [...subs].sort((a, b) => byKey((a as DocTree[])[0] as string, (b as DocTree[])[0] as string));
  return r;
}

/** A DOCS entry with its `subcommands` map sorted by name. */
function sortDocSubcommands(doc: DocTree): DocTree {
  const d = doc as Record<string, DocTree>;
  const subs = d.subcommands as Record<string, DocTree> | undefined;
  if (subs === undefined) return doc;
  const sorted: Record<string, DocTree> = {};
  for (const k of Object.keys(subs).sort(byKey)) sorted[k] = subs[k]!;
  return { ...d, subcommands: sorted };
}

const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The mini-redis module (packages/mini-redis/src/redis-commands.generated.ts). */
export function renderDocs(version: string, docs: ReadonlyMap<string, { info: DocTree; docs: DocTree }>): string {
  return [
    '// Generated by packages/client/scripts/gen-commands.ts from the RESP3 COMMAND INFO and COMMAND DOCS of',
    `// redis-server ${version}; do not edit (run \`pnpm --filter @reactor-ts/client gen:commands\`).`,
    '// Each row: the command\'s COMMAND INFO row and COMMAND DOCS entry as JSON trees (see',
    '// packages/client/scripts/gen-docs.ts for the encoding); parsed only when asked for.',
    '',
    '/** The version of the redis-server these replies were read from. */',
    `export const DOCS_REDIS_VERSION = ${JSON.stringify(version)};`,
    '',
    '/** Top-level command name → [COMMAND INFO row, COMMAND DOCS entry]. */',
    'export const REDIS_COMMANDS: ReadonlyMap<string, readonly [info: string, docs: string]> = new Map([',
    ...[...docs].map(([name, d]) => `  [${quote(name)}, [${quote(JSON.stringify(d.info))}, ${quote(JSON.stringify(d.docs))}]],`),
    ']);',
    '',
  ].join('\n');
}
