import { sharedVitestConfig } from '../../tooling/vitest/shared.ts';

export default sharedVitestConfig({
  thresholds: {
    // Issue #11: the token cache decides when a token is reused, refreshed or dropped.
    'src/cache/**': { lines: 95, functions: 95, branches: 95, statements: 95 },
  },
  // Barrel (re-exports) and the auth event type declarations: nothing to execute.
  noRuntimeCode: ['src/index.ts', 'src/middleware/auth-events.ts'],
});
