import { sharedVitestConfig } from '../../tooling/vitest/shared.ts';

export default sharedVitestConfig({
  linesThreshold: 90,
  testTimeout: 60_000,
  coverageExclude: ['src/bin.ts'],
  globalSetup: ['test/global-setup.ts'],
});
