import { sharedVitestConfig } from '../../tooling/vitest/shared.ts';

// The umbrella package is one barrel that re-exports the other packages (no code of its own, so
// nothing to measure); src/index.test.ts checks that every package's exports come through.
export default sharedVitestConfig({ noRuntimeCode: ['src/index.ts'] });
