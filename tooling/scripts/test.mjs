#!/usr/bin/env node
// The test command README.md shows and .ci/run calls: runs every package's vitest suite through
// turbo (each package on its own, coverage included), then the tooling project (the tests of the
// shared test helpers, tooling/vitest.config.ts, with its own coverage gate), then prints one
// summary line `N passed, N failed` from the JSON reports and exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const packages = readdirSync('packages').filter((d) => existsSync(join('packages', d, 'package.json')));
for (const dir of packages) rmSync(join('packages', dir, 'test-results.json'), { force: true });
const TOOLING_REPORT = join('tooling', 'test-results.json');
rmSync(TOOLING_REPORT, { force: true });

const extra = process.argv.slice(2);
// The integration suites run the real registry and skopeo: install them when missing.
const deps = spawnSync('bash', ['tooling/scripts/ensure-system-deps.sh'], { stdio: 'inherit' });
if (deps.status !== 0) process.exit(1);
const turbo = spawnSync(
  'npx',
  ['--no-install', 'turbo', 'run', 'test', '--continue', '--force', '--output-logs=full', ...extra],
  { stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
);
// The tooling project runs with the whole suite, not when turbo arguments (a --filter) pick packages.
const withTooling = extra.length === 0;
const toolingArgs = ['--no-install', 'vitest', 'run', '--config', join('tooling', 'vitest.config.ts')];
const tooling = withTooling ? spawnSync('npx', toolingArgs, { stdio: 'inherit' }) : undefined;

let passed = 0;
let failed = 0;
const missing = [];
const reports = packages
  .filter((dir) => {
    const pkg = JSON.parse(readFileSync(join('packages', dir, 'package.json'), 'utf8'));
    return Boolean(pkg.scripts?.test);
  })
  .map((dir) => ({ name: dir, file: join('packages', dir, 'test-results.json') }));
if (withTooling) reports.push({ name: 'tooling', file: TOOLING_REPORT });
for (const { name, file } of reports) {
  if (!existsSync(file)) {
    missing.push(name);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  const suitesFailed = (report.testResults ?? []).filter((r) => r.status === 'failed').length;
  if (report.numFailedTests === 0 && suitesFailed > 0) failed += suitesFailed;
}
// With a --filter only some packages run; a missing report is then expected.
if (extra.length > 0) missing.length = 0;
if (missing.length > 0) console.error(`no test report from: ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
const toolingFailed = tooling !== undefined && tooling.status !== 0;
if ((turbo.status !== 0 || toolingFailed) && failed === 0) {
  console.error('a test task failed without a failing test (coverage threshold or crash): see above');
}
process.exit(turbo.status !== 0 || toolingFailed || failed > 0 || missing.length > 0 ? 1 : 0);
