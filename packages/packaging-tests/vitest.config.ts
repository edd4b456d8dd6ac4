import { mergeConfig } from 'vitest/config';
import { sharedVitestConfig } from '../../tooling/vitest/shared.ts';

// This package has no src/: it tests the packed tarballs of the others, so there is nothing to
// cover here (coverage is off). Packing, two npm installs and the simulator runs take a while;
// the three files mostly wait on child processes, so they run side by side even on two cores.
export default mergeConfig(sharedVitestConfig({ testTimeout: 120_000 }), {
  test: { coverage: { enabled: false }, hookTimeout: 240_000, maxWorkers: 3 },
});
