/**
 * `pnpm bench [suite ...] [--quick] [--json]`
 *
 * Runs every suite (or the named ones), prints a table per suite with ratios
 * of ours to each peer, and with --json writes bench/results/<date>.json
 * (machine, versions, every sample).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatSuite, type SuiteResult } from './lib/harness.js';
import { loadSuite, suiteNames } from './suites.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
  },
});

const available = suiteNames();
if (values.list) {
  console.log(available.join('\n'));
  process.exit(0);
}
const wanted = positionals.length > 0 ? positionals : available;
for (const name of wanted) {
  if (!available.includes(name)) {
    console.error(`unknown suite '${name}'; available: ${available.join(', ')}`);
    process.exit(2);
  }
}

const results: SuiteResult[] = [];
let failed = false;
for (const name of wanted) {
  const suite = await loadSuite(name);
  console.log(`\n# ${name}: ${suite.description}`);
  try {
    const res = await suite.run({ quick: values.quick });
    results.push(res);
    console.log(formatSuite(res));
  } catch (err) {
    failed = true;
    console.error(`suite ${name} failed:`, err);
  }
}

if (values.json) {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().map((c) => c.model)[0], cores: os.cpus().length, memGiB: os.totalmem() / 2 ** 30, platform: `${os.platform()} ${os.release()}` },
    node: process.version,
    quick: values.quick,
    results,
  };
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}
process.exit(failed ? 1 : 0);
