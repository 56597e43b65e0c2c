/**
 * INFO: Redis 7.0's sections in its order (Server, Clients, Memory,
 * Persistence, Stats, Replication, CPU, Modules, Commandstats, Errorstats,
 * Cluster, Keyspace), with the fields that mean something here: memory from
 * `process.memoryUsage()`, CPU from `process.cpuUsage()`, per-command calls,
 * rejected and failed calls (dispatch.ts counts them; usec is not measured,
 * see there), error replies
 * by their first word. Fields about machinery mini-redis does not have
 * (forks, replication backlog, allocator fragmentation, ...) are left out
 * rather than reported as made-up zeros; persistence and replication get the
 * few lines that are true of a server without them.
 *
 * Sections: none or `default` → the default set; `all` adds Commandstats;
 * `everything` too; otherwise the named ones (case-insensitive).
 */
import os from 'node:os';
import type { Client } from '../client.js';
import { REDIS_VERSION } from '../reply.js';

const DEFAULT = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace'];
const ALL = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'commandstats', 'errorstats', 'cluster', 'keyspace'];

/** Redis's bytesToHuman: B, K, M, G with two decimals. */
function human(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(2)}K`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(2)}M`;
  return `${(n / 1024 ** 3).toFixed(2)}G`;
}

/** The highest heap figure any INFO has seen, per process (used_memory_peak). */
let peak = 0;

export function infoText(c: Client, args: readonly string[]): string {
  const s = c.server;
  const wanted = new Set<string>();
  if (args.length === 0) for (const n of DEFAULT) wanted.add(n);
  for (const a of args) {
    if (a === 'default') for (const n of DEFAULT) wanted.add(n);
    else if (a === 'all' || a === 'everything') for (const n of ALL) wanted.add(n);
    else wanted.add(a);
  }
  const sections: string[] = [];
  const add = (name: string, lines: () => string[]): void => {
    if (wanted.has(name.toLowerCase())) sections.push(`# ${name}\r\n${lines().map((l) => `${l}\r\n`).join('')}`);
  };
  const now = Date.now();
  const uptime = Math.floor((now - s.startedAt) / 1000);
  add('Server', () => [
    `redis_version:${REDIS_VERSION}`,
    'redis_git_sha1:00000000',
    'redis_git_dirty:0',
    'redis_mode:standalone',
    `os:${os.type()} ${os.release()} ${os.arch()}`,
    `arch_bits:${process.arch.endsWith('64') ? 64 : 32}`,
    'multiplexing_api:reactor-ts (libuv)',
    `process_id:${process.pid}`,
    'process_supervised:no',
    `run_id:${s.runId}`,
    `tcp_port:${s.port}`,
    `server_time_usec:${now * 1000}`,
    `uptime_in_seconds:${uptime}`,
    `uptime_in_days:${Math.floor(uptime / 86400)}`,
    'hz:10',
    'configured_hz:10',
    `executable:${process.argv[1] ?? ''}`,
    'config_file:',
    'server_name:mini-redis',
    `node_version:${process.version}`,
  ]);
  add('Clients', () => {
    let subscribers = 0;
    let withTimeout = 0;
    for (const cl of s.clients.values()) {
      if (cl.subscriptions > 0) subscribers++;
      if (cl.blocked?.timer != null) withTimeout++;
    }
    return [
      `connected_clients:${s.clients.size}`,
      'cluster_connections:0',
      `maxclients:${s.maxclients}`,
      `blocked_clients:${s.blocking.count}`,
      'tracking_clients:0',
      `clients_in_timeout_table:${withTimeout}`,
      `pubsub_clients:${subscribers}`,
    ];
  });
  add('Memory', () => {
    const mem = process.memoryUsage();
    peak = Math.max(peak, mem.heapUsed);
    const dataset = s.store.usedMemory();
    const total = os.totalmem();
    return [
      `used_memory:${mem.heapUsed}`,
      `used_memory_human:${human(mem.heapUsed)}`,
      `used_memory_rss:${mem.rss}`,
      `used_memory_rss_human:${human(mem.rss)}`,
      `used_memory_peak:${peak}`,
      `used_memory_peak_human:${human(peak)}`,
      `used_memory_peak_perc:${peak === 0 ? '0.00' : ((mem.heapUsed / peak) * 100).toFixed(2)}%`,
      // The dataset as maxmemory counts it (memory.ts's estimate; 0 while maxmemory is 0, when nothing is accounted).
      `used_memory_dataset:${dataset}`,
      `used_memory_dataset_perc:${mem.heapUsed === 0 ? '0.00' : Math.min(100, (dataset / mem.heapUsed) * 100).toFixed(2)}%`,
      `total_system_memory:${total}`,
      `total_system_memory_human:${human(total)}`,
      `maxmemory:${s.config.maxmemory}`,
      `maxmemory_human:${human(s.config.maxmemory)}`,
      `maxmemory_policy:${s.config.maxmemoryPolicy}`,
      `mem_fragmentation_ratio:${mem.heapUsed === 0 ? '0.00' : (mem.rss / mem.heapUsed).toFixed(2)}`,
      'mem_allocator:v8',
      `heap_total:${mem.heapTotal}`,
      `external_memory:${mem.external}`,
    ];
  });
  add('Persistence', () => [
    'loading:0',
    'async_loading:0',
    'rdb_bgsave_in_progress:0',
    `rdb_last_save_time:${Math.floor(s.startedAt / 1000)}`,
    'rdb_saves:0',
    'aof_enabled:0',
    'aof_rewrite_in_progress:0',
  ]);
  add('Stats', () => [
    `total_connections_received:${s.stats.connections}`,
    `total_commands_processed:${s.stats.commands}`,
    `total_net_input_bytes:${s.stats.netInput}`,
    `total_net_output_bytes:${s.stats.netOutput}`,
    `rejected_connections:${s.stats.rejected}`,
    `expired_keys:${s.stats.expired}`,
    `evicted_keys:${s.stats.evicted}`,
    `pubsub_channels:${s.pubsub.channelCount}`,
    `pubsub_patterns:${s.pubsub.patternCount}`,
    'pubsubshard_channels:0',
    `total_error_replies:${s.stats.errorReplies}`,
  ]);
  add('Replication', () => ['role:master', 'connected_slaves:0', `master_replid:${s.runId}`, 'master_repl_offset:0']);
  add('CPU', () => {
    const cpu = process.cpuUsage();
    return [
      `used_cpu_sys:${(cpu.system / 1e6).toFixed(6)}`,
      `used_cpu_user:${(cpu.user / 1e6).toFixed(6)}`,
      'used_cpu_sys_children:0.000000',
      'used_cpu_user_children:0.000000',
    ];
  });
  add('Modules', () => []);
  add('Commandstats', () =>
    [...s.stats.commandStats].map(
      ([name, st]) =>
        `cmdstat_${name}:calls=${st.calls},usec=${st.usec},usec_per_call=${(st.calls === 0 ? 0 : st.usec / st.calls).toFixed(2)},rejected_calls=${st.rejected},failed_calls=${st.failed}`,
    ),
  );
  // Redis keeps these in a radix tree: listed in byte order.
  add('Errorstats', () => [...s.stats.errors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([prefix, n]) => `errorstat_${prefix}:count=${n}`));
  add('Cluster', () => ['cluster_enabled:0']);
  add('Keyspace', () => {
    const lines: string[] = [];
    for (const db of s.store.dbs) {
      if (db.size === 0) continue;
      let ttlSum = 0;
      let ttlCount = 0;
      for (const at of db.expires.values()) {
        if (at > now) {
          ttlSum += at - now;
          ttlCount++;
        }
      }
      lines.push(`db${db.index}:keys=${db.size},expires=${db.expires.size},avg_ttl=${ttlCount === 0 ? 0 : Math.floor(ttlSum / ttlCount)}`);
    }
    return lines;
  });
  return sections.join('\r\n');
}
