import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources: the "source" export condition
// maps each @reactor-ts/* package to its src/index.ts, so no build is needed
// before `pnpm test` (CI builds anyway, to typecheck).
export default defineConfig({
  resolve: { conditions: ['source', 'import', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['source', 'import', 'node', 'default'] } },
  test: {
    include: ['packages/**/*.spec.ts', 'examples/**/*.spec.ts', 'bench/**/*.spec.ts', 'reliability/**/*.spec.ts', 'tests/**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
