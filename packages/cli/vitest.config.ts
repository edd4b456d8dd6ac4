import { sharedVitestConfig } from '../../tooling/vitest/shared.ts';

export default sharedVitestConfig({ linesThreshold: 70, testTimeout: 60_000, coverageExclude: ['src/bin.ts'] });
