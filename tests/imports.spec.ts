// The import graph of the whole workspace, read from the sources with
// TypeScript's own pre-processor (imports, `export … from`, `import type`,
// `import()`): no cycle between files anywhere — type-only imports count, and
// a package import is an edge to that package's src/index.ts — and no
// package imports a package its package.json does not declare (`dependencies`
// for library code; devDependencies, or the root's, also for specs, test
// helpers, scripts and everything in a private package).
import { builtinModules } from 'node:module';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Cycles that another change is removing, each named with its owner so that
 * none hides behind a broader exclusion; drop an entry once its cycle is gone
 * (the test then keeps it gone). A cycle is excused only if all of its files
 * are the entry's `files`, or all lie `within` its folder.
 */
const KNOWN_CYCLES: ReadonlyArray<{ files?: readonly string[]; within?: string; why: string }> = [
  {
    within: 'packages/mini-redis/src/',
    why: 'client.ts → state.ts → command-table.ts → commands/*.ts → client.ts (types): inside one package folder, which issue 14 allows (only client/ must have none)',
  },
];

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface Workspace {
  /** Folder, relative to the root. */
  dir: string;
  manifest: Manifest;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The workspace packages, as pnpm-workspace.yaml lists them (`packages/*`, and plain folders). */
function workspaces(): Workspace[] {
  const globs = [...readFileSync(path.join(root, 'pnpm-workspace.yaml'), 'utf8').matchAll(/^\s+-\s+(\S+)\s*$/gm)].map((m) => m[1]!);
  const dirs: string[] = [];
  for (const g of globs) {
    if (g.endsWith('/*')) {
      const parent = g.slice(0, -2);
      for (const d of readdirSync(path.join(root, parent))) dirs.push(`${parent}/${d}`);
    } else dirs.push(g);
  }
  return dirs
    .filter((d) => existsSync(path.join(root, d, 'package.json')))
    .map((dir) => ({ dir, manifest: readJson<Manifest>(path.join(root, dir, 'package.json')) }));
}

/** Every .ts file of a package (not node_modules, dist, or declaration files), relative to the root. */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const ent of readdirSync(path.join(root, d), { withFileTypes: true })) {
      if (ent.name === 'node_modules' || ent.name === 'dist' || ent.name.startsWith('.')) continue;
      const p = `${d}/${ent.name}`;
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith('.ts') && !ent.name.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Every module specifier a file names, type-only imports and re-exports included. */
function specifiers(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(path.join(root, file), 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** The .ts file a relative specifier of `from` names, or null. */
function resolveRelative(from: string, spec: string): string | null {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`];
  for (const c of candidates) {
    const abs = path.join(root, c);
    if (existsSync(abs) && statSync(abs).isFile()) return c;
  }
  return null;
}

/** Library code must find its imports in `dependencies`; specs, test helpers and scripts may use dev ones. */
function isDevFile(file: string, pkgDir: string): boolean {
  const rel = file.slice(pkgDir.length + 1);
  return rel.endsWith('.spec.ts') || rel.startsWith('test/') || rel.startsWith('scripts/') || rel.includes('/testing') || rel.startsWith('testing');
}

const ws = workspaces();
const byName = new Map(ws.map((w) => [w.manifest.name, w]));
const rootDev = Object.keys(readJson<Manifest>(path.join(root, 'package.json')).devDependencies ?? {});
const builtins = new Set(builtinModules);

/** file → the files it imports (relative ones resolved, workspace packages to their src/index.ts). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const w of ws) {
    for (const file of tsFiles(w.dir)) {
      const edges: string[] = [];
      for (const spec of specifiers(file)) {
        if (spec.startsWith('.')) {
          const to = resolveRelative(file, spec);
          if (to !== null) edges.push(to);
        } else {
          const target = byName.get(packageOf(spec));
          if (target !== undefined && spec === target.manifest.name && existsSync(path.join(root, target.dir, 'src/index.ts'))) {
            edges.push(`${target.dir}/src/index.ts`);
          }
        }
      }
      graph.set(file, edges);
    }
  }
  return graph;
}

/** Every cycle's nodes (strongly connected components of more than one file, or a file importing itself). */
function cycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's algorithm, iterative enough for a few hundred files.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}

describe('the workspace import graph', () => {
  const graph = importGraph();

  it('reads every package', () => {
    for (const dir of ['packages/buffer', 'packages/resp', 'packages/reactor', 'packages/hiredis-adapter', 'packages/client', 'packages/mini-redis', 'bench', 'reliability']) {
      expect([...graph.keys()].some((f) => f.startsWith(`${dir}/`)), dir).toBe(true);
    }
    expect(graph.size).toBeGreaterThan(100);
  });

  it('has no import cycle between files, type-only imports included', () => {
    const known = (comp: string[]): boolean =>
      KNOWN_CYCLES.some((k) =>
        k.files !== undefined
          ? comp.length === k.files.length && k.files.every((f) => comp.includes(f))
          : comp.every((f) => f.startsWith(k.within!)),
      );
    const found = cycles(graph).filter((c) => !known(c));
    expect(found).toEqual([]);
  });

  it('finds a cycle when there is one (the checker itself)', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('imports only packages each package.json declares', () => {
    const missing: string[] = [];
    for (const w of ws) {
      const m = w.manifest;
      const deps = new Set([m.name, ...Object.keys(m.dependencies ?? {}), ...Object.keys(m.peerDependencies ?? {})]);
      const dev = new Set([...deps, ...Object.keys(m.devDependencies ?? {}), ...rootDev]);
      for (const file of tsFiles(w.dir)) {
        // A private package (examples, bench, reliability) is never installed by others: all of it may use its dev dependencies.
        const allowed = m.private === true || isDevFile(file, w.dir) ? dev : deps;
        for (const spec of specifiers(file)) {
          if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
          const name = packageOf(spec);
          if (!allowed.has(name)) missing.push(`${file} imports ${name}, not in ${w.dir}/package.json`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
