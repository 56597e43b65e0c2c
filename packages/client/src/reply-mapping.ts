/**
 * Reply shape control: the same methods with maps and sets in the form the
 * caller asks for, whatever the protocol. Under RESP3 a map reply is a Map
 * and a set reply a Set; under RESP2 both are flat arrays. Which replies are
 * maps or sets comes from the reply overlay (replies.ts, by the command's
 * method name), so HGETALL gives the same object under RESP2 and RESP3.
 * Nested RESP3 maps and sets (XINFO, CLIENT TRACKINGINFO, ...) are converted
 * too.
 */
import { specOfArgv } from '@reactor-ts/commands';
import { ReplyError } from '@reactor-ts/resp';
import type { Shape } from './reply-shapes.js';
import { replyOf } from './replies.js';
import { callShapeOf } from './attach.js';

export interface ReplyMapping {
  /** 'map' (a Map), 'object' (a plain object, keys as strings) or 'pairs' ([k, v][]). Default: as the protocol gives it. */
  map?: 'map' | 'object' | 'pairs';
  /** 'set' (a Set) or 'array'. Default: as the protocol gives it. */
  set?: 'set' | 'array';
}

function fromPairs(entries: Array<[unknown, unknown]>, m: ReplyMapping): unknown {
  if (m.map === 'map') return new Map(entries);
  if (m.map === 'object') return Object.fromEntries(entries.map(([k, v]) => [String(k), v]));
  return entries;
}

/** Converts RESP3 Maps and Sets anywhere in `v`. */
function deep(v: unknown, m: ReplyMapping): unknown {
  if (v instanceof Map) {
    const entries = [...v].map(([k, x]) => [deep(k, m), deep(x, m)] as [unknown, unknown]);
    return m.map === undefined ? new Map(entries) : fromPairs(entries, m);
  }
  if (v instanceof Set) {
    const items = [...v].map((x) => deep(x, m));
    return m.set === 'array' ? items : new Set(items);
  }
  if (Array.isArray(v)) return v.map((x) => deep(x, m));
  return v;
}

/**
 * The reply of `argv` reshaped per `m`, by the shape of that call: the
 * variant its typed method chose from its arguments (WITHSCORES, a count),
 * else the command's default (also for `command()`, which chooses none).
 */
export function mapReply(argv: readonly unknown[], reply: unknown, m: ReplyMapping): unknown {
  let shape: Shape | undefined = callShapeOf(argv);
  if (shape === undefined) {
    const spec = specOfArgv(argv as Parameters<typeof specOfArgv>[0]);
    shape = spec === undefined ? undefined : replyOf(spec.method)?.shape;
  }
  let top = reply;
  // RESP2 flat arrays of declared maps and sets: make them look like RESP3's first.
  if (shape?.t === 'map' && Array.isArray(reply)) {
    const mm = new Map<unknown, unknown>();
    for (let i = 0; i + 1 < reply.length; i += 2) mm.set(reply[i], reply[i + 1]);
    top = mm;
  } else if (shape?.t === 'set' && Array.isArray(reply)) {
    top = new Set(reply);
  }
  return deep(top, m);
}

/**
 * A batch's replies reshaped per `m`, each by its own command; EXEC's
 * array by the commands queued since MULTI. Error replies stay as they are.
 */
export function mapBatchReplies(commands: ReadonlyArray<readonly unknown[]>, results: unknown[], m: ReplyMapping): unknown[] {
  const out = new Array<unknown>(results.length);
  let multiAt = -1;
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    const name = String(commands[i]![0]).toUpperCase();
    if (name === 'MULTI') multiAt = i;
    if (r instanceof ReplyError) out[i] = r;
    else if (name === 'EXEC' && multiAt >= 0 && Array.isArray(r)) {
      const from = multiAt + 1;
      out[i] = r.map((x, j) => (x instanceof ReplyError || commands[from + j] === undefined ? x : mapReply(commands[from + j]!, x, m)));
      multiAt = -1;
    } else out[i] = mapReply(commands[i]!, r, m);
  }
  return out;
}
