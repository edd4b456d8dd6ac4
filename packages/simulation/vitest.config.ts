import { sharedVitestConfig } from '../../tooling/vitest/shared.ts';

// Integration suites drive skopeo and the real registry; allow for a loaded CI machine.
export default sharedVitestConfig({
  // House style: 90% of lines, and of functions; statements and branches at the 80 default
  // (measured figures: docs/testing.md).
  global: { lines: 90, functions: 90 },
  testTimeout: 90_000,
  // Barrel (re-exports) and files that only declare types (request context, the Fetch handler
  // signature, simulator options, the blob store interface): nothing to execute.
  noRuntimeCode: [
    'src/index.ts',
    'src/msw.ts',
    'src/vitest.ts',
    'src/registry/context.ts',
    'src/serve/fetch/fetch-handler.ts',
    'src/simulator/options.ts',
    'src/storage/blob-store.ts',
  ],
});
