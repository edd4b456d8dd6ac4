import { sharedVitestConfig } from '../../tooling/vitest/shared.ts';

export default sharedVitestConfig({
  testTimeout: 60_000,
  // Barrels (re-exports) and the image operation type declarations: nothing to execute.
  noRuntimeCode: [
    'src/index.ts',
    'src/hub/index.ts',
    'src/images/types.ts',
    'src/rate-limit/index.ts',
    'src/vulnerabilities/index.ts',
  ],
});
