/**
 * resp-encode: `encodeCommand` beside the command encoders of ioredis 6
 * (`new Command(name, args).toWritable()`) and node-redis 6 (`@redis/client`'s
 * RESP `encodeCommand`).
 *
 * The peers do not return the same thing: ioredis returns a string (a Buffer
 * when an argument is a Buffer), node-redis an array of strings and Buffers
 * for `socket.write`/`writev`; ours returns one Buffer. Encoding those strings
 * to bytes is work the peers defer to the socket, so each peer appears twice:
 * as it returns (`ioredis`, `node-redis`), and with its output turned into
 * bytes (`… +bytes`: `Buffer.from(string)`, `Buffer.concat` of the parts),
 * which is what ours hands over.
 *
 * Run: npx tsx --conditions=source bench/src/main.ts resp-encode [--quick]
 */
import { createRequire } from 'node:module';
import { encodeCommand } from '@reactor-ts/resp';
import { runCpuWorkloads, type CpuWorkload, type RunOptions, type Suite, type SuiteResult } from './lib/harness.js';

type Arg = string | Buffer;
interface IoredisCommand {
  toWritable(socket: object): string | Buffer;
}
type IoredisCommandCtor = new (name: string, args: Arg[]) => IoredisCommand;
type NodeRedisEncode = (args: ReadonlyArray<Arg>) => Arg[];

const require = createRequire(import.meta.url);
const IoCommand = (require('ioredis/built/Command') as { default: IoredisCommandCtor }).default;
const nodeRedisEncode = (require('@redis/client/dist/lib/RESP/encoder.js') as { default: NodeRedisEncode }).default;
const SOCKET = {};

/** Defeats dead-code elimination: every result feeds this. */
let sink = 0;

function toBytes(out: string | Buffer | Arg[]): Buffer {
  if (typeof out === 'string') return Buffer.from(out);
  if (Buffer.isBuffer(out)) return out;
  return Buffer.concat(out.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

/** A workload: a list of argv lists, cycled, so keys vary as in real traffic. */
function workload(name: string, commands: Arg[][]): CpuWorkload {
  let i = 0;
  const next = (): Arg[] => {
    const argv = commands[i] as Arg[];
    i = (i + 1) % commands.length;
    return argv;
  };
  return {
    name,
    unit: 'cmds/s',
    impls: {
      'reactor-ts': () => {
        sink += encodeCommand(next()).length;
      },
      ioredis: () => {
        const argv = next();
        sink += new IoCommand(argv[0] as string, argv.slice(1)).toWritable(SOCKET).length;
      },
      'node-redis': () => {
        sink += nodeRedisEncode(next()).length;
      },
      'ioredis +bytes': () => {
        const argv = next();
        sink += toBytes(new IoCommand(argv[0] as string, argv.slice(1)).toWritable(SOCKET)).length;
      },
      'node-redis +bytes': () => {
        sink += toBytes(nodeRedisEncode(next())).length;
      },
    },
  };
}

function value(n: number, len: number): string {
  return (`v${n}-`.repeat(len)).slice(0, len);
}

export const suite: Suite = {
  name: 'resp-encode',
  description: 'encodeCommand vs ioredis Command.toWritable and node-redis encodeCommand',
  async run(opts: RunOptions): Promise<SuiteResult> {
    const N = 1024;
    const seq = Array.from({ length: N }, (_, n) => n);
    const workloads = [
      workload('SET key:<n> <16 B>', seq.map((n) => ['SET', `key:${n}`, value(n, 16)])),
      workload('INCR counter', [['INCR', 'counter']]),
      workload(
        'MSET 10 pairs',
        seq.map((n) => ['MSET', ...Array.from({ length: 10 }, (_, k) => [`key:${n}:${k}`, value(n + k, 16)]).flat()]),
      ),
      workload('SET key <1 KiB>', seq.slice(0, 64).map((n) => ['SET', `key:${n}`, value(n, 1024)])),
      workload(
        'SET key <Buffer 256 B>',
        seq.slice(0, 64).map((n) => ['SET', `key:${n}`, Buffer.alloc(256, n & 0xff)]),
      ),
    ];
    const result = await runCpuWorkloads('resp-encode', 'reactor-ts', workloads, opts);
    if (sink === -1) console.log(sink);
    result.notes = [
      'target: reactor-ts >= 1.0x the faster peer.',
      'ioredis / node-redis return strings (node-redis: an array) that the socket encodes later;',
      "'+bytes' rows include that encoding, which reactor-ts's single Buffer already contains.",
    ];
    return result;
  },
};
