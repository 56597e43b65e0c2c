/**
 * The published shape: every public package packs with `pnpm pack` into a
 * tarball that carries its LICENSE, README and built `dist/`, no spec files
 * and no `workspace:` ranges, and the tarballs install into an empty project
 * with the network off (`npm install --offline`: everything comes from the
 * tarballs: the third-party runtime dependencies, such as mini-redis's Lua VM
 * fengari, are packed from the workspace's installed copies) and run a PING
 * against a real redis-server from plain Node, as
 * an ES module and from CommonJS (`require()` of the ESM build, which Node
 * does unflagged since 20.19 — hence `engines`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@reactor-ts/test-utils';

const root = resolve(import.meta.dirname, '..');

/** The packages a user installs; test-utils, bench and examples stay private. */
function publicPackages(): { dir: string; name: string }[] {
  return readdirSync(join(root, 'packages'))
    .map((d) => join(root, 'packages', d))
    // A folder without a manifest (left-over build output) is not a package.
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; private?: boolean } }))
    .filter(({ pkg }) => pkg.private !== true)
    .map(({ dir, pkg }) => ({ dir, name: pkg.name }));
}

function tarEntries(tgz: string): string[] {
  return execFileSync('tar', ['tzf', tgz], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

function tarFile(tgz: string, entry: string): string {
  return execFileSync('tar', ['xzf', tgz, '-O', entry], { encoding: 'utf8' });
}

/**
 * The environment of a plain shell: pnpm passes its settings down as
 * npm_config_* variables, which npm would warn about (and could obey).
 */
function plainEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** Where `dep` is installed as seen from the package in `fromDir` (pnpm's layout: a sibling in .pnpm). */
function installedDir(fromDir: string, dep: string): string {
  const paths = createRequire(join(fromDir, 'package.json')).resolve.paths(dep) ?? [];
  const found = paths.map((p) => join(p, dep)).find((d) => existsSync(join(d, 'package.json')));
  if (found === undefined) throw new Error(`${dep} is not installed for ${fromDir}`);
  return found;
}

/** The non-workspace runtime dependencies of the public packages, transitively: name → installed folder. */
function thirdPartyDependencies(pkgDirs: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (dir: string): void => {
    const deps = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
    for (const dep of Object.keys(deps)) {
      if (dep.startsWith('@reactor-ts/') || out.has(dep)) continue;
      const at = installedDir(dir, dep);
      out.set(dep, at);
      visit(at);
    }
  };
  for (const dir of pkgDirs) visit(dir);
  return out;
}

const pingEsm = `
import { createClient } from '@reactor-ts/client';
const client = await createClient({ url: process.env.REDIS_URL }).connect();
console.log('esm', await client.ping());
await client.quit();
`;

// The hiredis layer on its own reactor, from CommonJS: the article's shape.
const pingHiredisCjs = `
const { createReactor } = require('@reactor-ts/reactor');
const { redisAsyncConnect, redisAttach, redisAsyncCommand, redisAsyncDisconnect } = require('@reactor-ts/hiredis-adapter');
const url = new URL(process.env.REDIS_URL);
const reactor = createReactor();
const c = redisAsyncConnect(url.hostname, Number(url.port));
redisAttach(reactor, c);
redisAsyncCommand(c, (ctx, reply) => {
  console.log('hiredis-cjs', reply === null ? 'null' : reply.str);
  redisAsyncDisconnect(ctx);
}, null, 'PING');
reactor.eventloop().then(() => reactor.release()).catch((err) => { console.error(err); process.exit(1); });
`;

// mini-redis embedded, with its Lua VM (fengari, installed from its tarball like the rest).
const evalMini = `
import { startMiniRedis } from '@reactor-ts/mini-redis';
import { createClient } from '@reactor-ts/client';
const server = await startMiniRedis({ port: 0 });
const client = await createClient({ url: 'redis://127.0.0.1:' + server.port }).connect();
console.log('mini-lua', await client.eval("return redis.call('ping').ok", []));
await client.quit();
await server.close();
`;

const pingCjs = `
const { createClient } = require('@reactor-ts/client');
(async () => {
  const client = await createClient({ url: process.env.REDIS_URL }).connect();
  console.log('cjs', await client.ping());
  await client.quit();
})().catch((err) => { console.error(err); process.exit(1); });
`;

describe('published packages', () => {
  let work: string;
  let packs: string;
  const tarballs = new Map<string, string>();
  /** Third-party runtime dependencies, packed from node_modules. */
  const thirdParty = new Map<string, string>();
  let redis: RedisServer;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'reactor-ts-pack-'));
    packs = join(work, 'packs');
    for (const { dir, name } of publicPackages()) {
      // dist/ must exist: `pnpm test` builds with `tsc -b` before vitest runs.
      const out = execFileSync('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', packs], { cwd: dir, encoding: 'utf8', env: plainEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
      const tgz = out.trim().split('\n').reverse().find((l) => l.endsWith('.tgz'));
      if (tgz === undefined) throw new Error(`pnpm pack printed no tarball for ${name}:\n${out}`);
      tarballs.set(name, tgz.trim());
    }
    // `npm install --offline` must not need npm's cache: third-party packages travel as tarballs too.
    for (const [name, dir] of thirdPartyDependencies(publicPackages().map((p) => p.dir))) {
      const out = execFileSync('npm', ['pack', dir, '--pack-destination', packs, '--ignore-scripts'], { encoding: 'utf8', env: plainEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
      const tgz = out.trim().split('\n').reverse().find((l) => l.endsWith('.tgz'));
      if (tgz === undefined) throw new Error(`npm pack printed no tarball for ${name}:\n${out}`);
      thirdParty.set(name, join(packs, tgz.trim()));
    }
    redis = await startRedis();
  }, 180_000);

  afterAll(async () => {
    await redis?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs every public package with LICENSE, README, dist and no specs', () => {
    expect([...tarballs.keys()].sort()).toEqual(
      expect.arrayContaining(['@reactor-ts/buffer', '@reactor-ts/client', '@reactor-ts/hiredis-adapter', '@reactor-ts/reactor', '@reactor-ts/resp']),
    );
    for (const [name, tgz] of tarballs) {
      const entries = tarEntries(tgz);
      expect(entries, name).toContain('package/LICENSE');
      expect(entries, name).toContain('package/README.md');
      expect(entries, name).toContain('package/dist/index.js');
      expect(entries, name).toContain('package/dist/index.d.ts');
      expect(entries.filter((e) => /\.spec\./.test(e)), name).toEqual([]);
      const manifest = tarFile(tgz, 'package/package.json');
      expect(manifest, name).not.toMatch(/workspace:/);
    }
  });

  it('installs offline into an empty project and PINGs from ESM and CommonJS (and EVALs on embedded mini-redis)', () => {
    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    // An empty npm cache of its own: what a fresh machine has (the tarballs must be enough).
    const cache = join(work, 'npm-cache');
    const install = spawnSync('npm', ['install', '--offline', '--cache', cache, '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs.values(), ...thirdParty.values()], {
      cwd: app,
      encoding: 'utf8',
      timeout: 120_000,
      env: plainEnv({}),
    });
    expect(install.status, install.stderr).toBe(0);
    writeFileSync(join(app, 'ping.mjs'), pingEsm);
    writeFileSync(join(app, 'ping.cjs'), pingCjs);
    writeFileSync(join(app, 'ping-hiredis.cjs'), pingHiredisCjs);
    writeFileSync(join(app, 'eval-mini.mjs'), evalMini);
    const scripts = [['ping.mjs', 'esm'], ['ping.cjs', 'cjs'], ['ping-hiredis.cjs', 'hiredis-cjs'], ['eval-mini.mjs', 'mini-lua']] as const;
    for (const [script, flavour] of scripts) {
      const run = spawnSync(process.execPath, [script], {
        cwd: app,
        encoding: 'utf8',
        timeout: 30_000,
        env: plainEnv({ REDIS_URL: redis.url, NODE_OPTIONS: '' }),
      });
      expect(run.error, `${script} did not finish: ${run.stderr}`).toBeUndefined();
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe(`${flavour} PONG`);
    }
  }, 180_000);
});
