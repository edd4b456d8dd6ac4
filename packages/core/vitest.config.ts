import { fileURLToPath } from 'node:url';
import { sharedVitestConfig } from '../../tooling/vitest/shared.ts';

export default sharedVitestConfig({
  // Its own directory, also when the mutation runner loads it from the repository root.
  root: fileURLToPath(new URL('.', import.meta.url)),
  // House style: core is fully covered, every metric, every file (no group needs its own gate).
  global: { lines: 100, functions: 100, branches: 100, statements: 100 },
  // Barrels: re-exports only, nothing to execute.
  noRuntimeCode: ['src/index.ts', 'src/errors/index.ts'],
});
