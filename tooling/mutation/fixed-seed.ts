// Setup file for `pnpm mutation` runs (tooling/vitest/shared.ts adds it when MUTATION_PACKAGE is
// set). @fast-check/vitest puts the seed in each property test's name, which Stryker uses to find
// the tests covering a mutant: with a new random seed on every run no name matched the dry run's,
// no test ran, and every mutant those tests cover "survived". One fixed seed keeps names stable.
import fc from 'fast-check';

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: 20_261_207 });
