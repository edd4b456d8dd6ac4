import { sharedVitestConfig } from '../../tooling/vitest/shared.ts';

export default sharedVitestConfig({
  // Barrel: re-exports only, nothing to execute.
  noRuntimeCode: ['src/index.ts'],
});
