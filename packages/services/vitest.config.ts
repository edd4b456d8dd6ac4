import { sharedVitestConfig } from '../../tooling/vitest/shared.ts';

export default sharedVitestConfig({ linesThreshold: 85, testTimeout: 60_000 });
