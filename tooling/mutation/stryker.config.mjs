// StrykerJS settings for one package, named by MUTATION_PACKAGE (tooling/mutation/run.mjs sets it
// and runs the packages one after another). Run from the repository root: the sandbox is a copy
// of the repository (workspace aliases and tooling/vitest resolve inside it), without build output.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const pkg = process.env.MUTATION_PACKAGE;
if (pkg === undefined || !/^[a-z-]+$/.test(pkg)) {
  throw new Error('MUTATION_PACKAGE must name the package to mutate (core, transport, auth)');
}
/** What is mutated in each package (globs relative to it) and the score below which the run fails. */
const settings = JSON.parse(readFileSync(new URL('./packages.json', import.meta.url), 'utf8'))[pkg];
if (settings === undefined)
  throw new Error(`tooling/mutation/packages.json has no entry for ${pkg}`);

const root = new URL('../../', import.meta.url);
const readJson = (path) => JSON.parse(readFileSync(new URL(path, root), 'utf8'));
/** Workspace package folders by package name. */
const folders = new Map(
  readdirSync(new URL('packages/', root))
    .filter((dir) => existsSync(new URL(`packages/${dir}/package.json`, root)))
    .map((dir) => [readJson(`packages/${dir}/package.json`).name, dir]),
);
const manifest = readJson(`packages/${pkg}/package.json`);
const declared = {
  ...manifest.dependencies,
  ...manifest.devDependencies,
  ...manifest.peerDependencies,
};
/** The package and the workspace packages it uses: the only ones copied into the sandbox. */
const needed = new Set([pkg, ...Object.keys(declared).map((name) => folders.get(name))]);
const unneeded = [...folders.values()].filter((dir) => !needed.has(dir));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: `packages/${pkg}/vitest.config.ts`, dir: `packages/${pkg}` },
  // Unit tests, plus the quick suites from test/ that packages.json lists under "testFiles"
  // (mostly in-process servers; transport's TLS probe and scheme store suites also start the real
  // registry and tinyproxy, each in under a second). The slower suites that start real registries
  // and other programs are too slow to repeat for every mutant, so the score is a floor.
  testFiles: [
    `packages/${pkg}/src/**/*.test.ts`,
    ...(settings.testFiles ?? []).map((glob) => `packages/${pkg}/${glob}`),
  ],
  mutate: [
    ...settings.mutate.map((glob) => `packages/${pkg}/${glob}`),
    `!packages/${pkg}/src/**/*.test.ts`,
  ],
  coverageAnalysis: 'perTest',
  // A static mutant (a module-level constant such as a regular expression or a code table) can
  // only be tested by reloading every test file; they are left out of the score (Ignored).
  ignoreStatic: true,
  // Two cores are the usual machine here; more only queue up.
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 10_000,
  // Only what the tests read is copied into the sandbox.
  ignorePatterns: [
    '**/dist',
    '**/coverage',
    '**/.turbo',
    '**/test-results.json',
    '.tmp',
    'bench-results',
    'reports',
    ...unneeded.map((dir) => `packages/${dir}`),
  ],
  tempDirName: `.tmp/stryker-${pkg}`,
  cleanTempDir: 'always',
  incremental: process.env.MUTATION_INCREMENTAL === '1',
  incrementalFile: `.tmp/mutation/${pkg}-incremental.json`,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  clearTextReporter: { reportMutants: false, reportTests: false, reportScoreTable: true },
  jsonReporter: { fileName: `.tmp/mutation/${pkg}.json` },
  htmlReporter: { fileName: `.tmp/mutation/${pkg}.html` },
  thresholds: { high: 90, low: 80, break: settings.threshold },
};
