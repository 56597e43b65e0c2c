/**
 * Suite discovery: every `bench/src/<name>.ts` (other than main, suites and
 * lib/) that exports `suite` is a suite named `<name>`. Nothing to register.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Suite } from './lib/harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const NOT_SUITES = new Set(['main', 'suites']);

/**
 * Suites that run only when named (`pnpm bench instructions`): they take
 * many minutes (callgrind), too long for every `pnpm bench` and its smoke test.
 */
const ON_REQUEST = new Set(['instructions']);

/** The suites a bare `pnpm bench` runs: every one but those run on request. */
export function defaultSuiteNames(): string[] {
  return suiteNames().filter((n) => !ON_REQUEST.has(n));
}

/** Suite names, sorted, found beside this file. */
export function suiteNames(): string[] {
  return readdirSync(here)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.includes('.spec.'))
    .map((f) => f.replace(/\.(ts|js)$/, ''))
    .filter((n) => !NOT_SUITES.has(n))
    .sort();
}

export async function loadSuite(name: string): Promise<Suite> {
  const ext = path.extname(fileURLToPath(import.meta.url));
  const mod = (await import(pathToFileURL(path.join(here, `${name}${ext}`)).href)) as { suite?: Suite };
  if (!mod.suite) throw new Error(`bench/src/${name}${ext} does not export a suite`);
  return mod.suite;
}
