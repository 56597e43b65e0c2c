/**
 * bench/server: mini-redis against redis-server under redis-benchmark.
 *
 *   redis-benchmark -c 50 -P 16 -t ping,set,get,lpush,lpop,zadd -n N --csv
 *
 * mini-redis runs in its own Node process (startMiniRedisChild: its CLI through
 * tsx's loader: the TypeScript is compiled once at start-up, after which the
 * same JavaScript runs as from dist/), so it shares no event loop with this
 * runner. redis-server is started by @reactor-ts/test-utils. Rounds
 * alternate which server goes first; each row is the median over rounds.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startMiniRedisChild } from '@reactor-ts/mini-redis';
import { startRedis } from '@reactor-ts/test-utils';
import { median, progress, type Row, type RunOptions, type Suite, type SuiteResult } from './lib/harness.js';

// The target set (issue 18): the string commands and a list and a sorted-set write.
const TESTS = 'ping,set,get,lpush,lpop,zadd';
const CLIENTS = 50;
const PIPELINE = 16;

interface Target {
  name: string;
  port: number;
  /** The server's process, for its CPU time. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * CPU seconds (user + system) a process has used so far, from
 * /proc/PID/stat; null off Linux. On a busy machine throughput swings with
 * the neighbours, but CPU time per request hardly does, so it is reported too.
 */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the file, in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Starts mini-redis (its CLI) in a child process; resolves once it is listening. */
async function startMiniRedisProcess(): Promise<Target> {
  const child = await startMiniRedisChild();
  return { name: 'mini-redis', port: child.port, pid: child.pid, stop: async () => void (await child.stop()) };
}

/** One redis-benchmark run; returns requests/s per test name. */
function benchmark(port: number, n: number): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const args = ['-p', String(port), '-c', String(CLIENTS), '-P', String(PIPELINE), '-t', TESTS, '-n', String(n), '--csv'];
    const child = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`redis-benchmark exited with ${code}: ${err}`));
      const rows = new Map<string, number>();
      for (const line of out.split('\n')) {
        const m = /^"([^"]+)","([\d.]+)"/.exec(line);
        if (m) rows.set(m[1]!, Number(m[2]));
      }
      if (rows.size === 0 || /ERR/.test(out + err)) return reject(new Error(`redis-benchmark: ${out}${err}`));
      resolve(rows);
    });
  });
}

async function run(opts: RunOptions): Promise<SuiteResult> {
  const rounds = opts.quick ? 1 : 5;
  const n = opts.quick ? 100_000 : 400_000;
  const redis = await startRedis();
  const targets: Target[] = [{ name: 'redis-server', port: redis.port, pid: redis.pid, stop: () => redis.stop() }];
  const TEST_COUNT = TESTS.split(',').length + 1; // redis-benchmark runs ping as PING_INLINE and PING_MBULK
  const cpu = new Map<string, number[]>();
  try {
    targets.unshift(await startMiniRedisProcess());
    // Warm-up, not measured: lets V8 optimise mini-redis's hot paths first.
    progress('server warm-up');
    for (const t of targets) await benchmark(t.port, Math.min(n, 100_000));
    const samples = new Map<string, Map<string, number[]>>();
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        progress(`server ${t.name} round ${round + 1}/${rounds}`);
        const cpu0 = cpuSeconds(t.pid);
        const results = await benchmark(t.port, n);
        const cpu1 = cpuSeconds(t.pid);
        if (cpu0 !== null && cpu1 !== null) {
          const list = cpu.get(t.name) ?? [];
          cpu.set(t.name, list);
          list.push(((cpu1 - cpu0) * 1e6) / (n * TEST_COUNT));
        }
        for (const [test, rps] of results) {
          const byImpl = samples.get(test) ?? new Map<string, number[]>();
          samples.set(test, byImpl);
          const list = byImpl.get(t.name) ?? [];
          byImpl.set(t.name, list);
          list.push(rps);
        }
      }
    }
    progress('');
    const rows: Row[] = [];
    for (const [test, byImpl] of samples) {
      for (const [impl, s] of byImpl) {
        rows.push({ workload: `${test} -c${CLIENTS} -P${PIPELINE}`, impl, unit: 'req/s', value: median(s), samples: s });
      }
    }
    for (const [impl, s] of cpu) {
      rows.push({ workload: 'server CPU per request', impl, unit: 'µs/req', value: median(s), samples: s, lowerIsBetter: true });
    }
    return {
      suite: 'server',
      ours: 'mini-redis',
      rows,
      notes: [
        `redis-benchmark -c ${CLIENTS} -P ${PIPELINE} -t ${TESTS} -n ${n} --csv, ${rounds} round(s), servers alternating`,
        'target: mini-redis >= 0.5x redis-server on each test',
      ],
    };
  } finally {
    for (const t of targets) await t.stop();
  }
}

export const suite: Suite = {
  name: 'server',
  description: 'mini-redis vs redis-server under redis-benchmark (-c 50 -P 16, ping/set/get/lpush/lpop/zadd)',
  run,
};
