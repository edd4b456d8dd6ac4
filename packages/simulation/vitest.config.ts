import { sharedVitestConfig } from '../../tooling/vitest/shared.ts';

// Integration suites drive skopeo and the real registry; allow for a loaded CI machine.
export default sharedVitestConfig({ linesThreshold: 85, testTimeout: 90_000 });
