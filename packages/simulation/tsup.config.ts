import { defineConfig } from 'tsup';
import { baseTsupOptions } from '../../tooling/tsup/base.ts';

// Three entry points (the main one, `/vitest` and `/msw`); shared code is split into chunks so
// that the entries share one copy of every class.
export default defineConfig({
  ...baseTsupOptions,
  entry: ['src/index.ts', 'src/vitest.ts', 'src/msw.ts'],
  splitting: true,
});
