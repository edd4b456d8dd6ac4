import { sharedVitestConfig } from '../../tooling/vitest/shared.ts';

export default sharedVitestConfig({
  // Only the in-process suites count: the subprocess suites (bin/dhub.js) are not measured.
  global: { lines: 80, functions: 80, branches: 70, statements: 80 },
  testTimeout: 60_000,
  // bin.ts only starts the CLI in a subprocess, which coverage does not see.
  coverageExclude: ['src/bin.ts'],
  // Barrel: re-exports only, nothing to execute.
  noRuntimeCode: ['src/index.ts'],
  globalSetup: ['test/global-setup.ts'],
});
