// The layering this package was split out for, read from the sources: no
// import cycle between its files (type-only imports and re-exports count),
// other packages reached only through their public index, and packages that
// depend on each other one way only (hiredis-adapter never on the client).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const packagesDir = path.resolve(here, '../..');

/** Every module specifier a TypeScript file names: import, export … from, import(). */
function specifiers(file: string): string[] {
  const src = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  const re = /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of src.matchAll(re)) out.push((m[1] ?? m[2]) as string);
  return out;
}

/** The non-spec .ts files of a package's src/. */
function sources(pkg: string): string[] {
  const dir = path.join(packagesDir, pkg, 'src');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .map((f) => path.join(dir, f));
}

/** A cycle in `graph` as a path of nodes (first === last), or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (v: string): string[] | null => {
    state.set(v, 'open');
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (state.get(w) === 'open') return [...stack.slice(stack.indexOf(w)), w];
      if (state.get(w) === undefined) {
        const c = visit(w);
        if (c !== null) return c;
      }
    }
    stack.pop();
    state.set(v, 'done');
    return null;
  };
  for (const v of graph.keys()) {
    if (state.get(v) !== undefined) continue;
    const c = visit(v);
    if (c !== null) return c;
  }
  return null;
}

const packages = readdirSync(packagesDir).filter((p) => {
  try {
    return readdirSync(path.join(packagesDir, p, 'src')).length > 0;
  } catch {
    return false;
  }
});

describe('import layering', () => {
  it('has no import cycle between the files of packages/client/src', () => {
    const graph = new Map<string, string[]>();
    for (const file of sources('client')) {
      const local = specifiers(file)
        .filter((s) => s.startsWith('./'))
        .map((s) => path.basename(s).replace(/\.js$/, '.ts'));
      graph.set(path.basename(file), local);
    }
    expect(graph.size).toBeGreaterThan(10);
    expect(findCycle(graph)).toBeNull();
  });

  it('reaches other packages only through their public index', () => {
    for (const file of sources('client')) {
      for (const s of specifiers(file)) {
        expect(s.startsWith('../'), `${path.basename(file)} imports ${s}`).toBe(false);
        if (s.startsWith('@reactor-ts/')) expect(s.split('/'), `${path.basename(file)} imports ${s}`).toHaveLength(2);
      }
    }
  });

  it('has packages that depend on each other one way, hiredis-adapter never on the client', () => {
    const graph = new Map<string, string[]>();
    for (const pkg of packages) {
      const deps = new Set<string>();
      for (const file of sources(pkg)) {
        for (const s of specifiers(file)) if (s.startsWith('@reactor-ts/')) deps.add(s.split('/')[1] as string);
      }
      deps.delete(pkg);
      graph.set(pkg, [...deps]);
    }
    expect(graph.get('client')).toEqual(expect.arrayContaining(['hiredis-adapter', 'resp', 'reactor']));
    expect(graph.get('hiredis-adapter')).not.toContain('client');
    expect(findCycle(graph)).toBeNull();
    // What the sources import is what package.json declares, no more.
    for (const pkg of ['client', 'hiredis-adapter']) {
      const manifest = JSON.parse(readFileSync(path.join(packagesDir, pkg, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      };
      const declared = Object.keys(manifest.dependencies ?? {}).map((d) => d.split('/')[1]);
      expect(declared.sort(), pkg).toEqual([...(graph.get(pkg) ?? [])].sort());
    }
  });
});
