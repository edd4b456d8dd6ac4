#!/usr/bin/env node
// `pnpm mutation [package...]`: StrykerJS mutation testing of core, transport and auth (or the
// packages named), one package after another, each against its own unit tests. Prints the score
// per package and exits 1 when a package scores below its entry in packages.json.
// Not part of `pnpm test` or CI: it takes tens of minutes on two cores (docs/testing.md).
// MUTATION_CONCURRENCY (default 2) sets Stryker's test runner processes; MUTATION_INCREMENTAL=1
// reuses the previous run's results for unchanged code and tests (.tmp/mutation/*-incremental.json).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const settings = JSON.parse(readFileSync(join(here, 'packages.json'), 'utf8'));
const thresholds = Object.fromEntries(Object.entries(settings).map(([p, s]) => [p, s.threshold]));
const packages = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(thresholds);
for (const pkg of packages) {
  if (!(pkg in thresholds)) {
    console.error(
      `mutation: unknown package "${pkg}"; known: ${Object.keys(thresholds).join(', ')}`,
    );
    process.exit(2);
  }
}

/**
 * The mutation score of a Stryker JSON report, as Stryker computes it: detected (killed or timed
 * out) over detected, survived and uncovered mutants.
 */
function scoreOf(reportFile) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, other: 0 };
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) {
      if (mutant.status in counts) counts[mutant.status]++;
      else counts.other++;
    }
  }
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return { ...counts, score: valid === 0 ? 100 : (100 * detected) / valid };
}

const results = [];
let failed = false;
for (const pkg of packages) {
  const started = Date.now();
  console.log(`\nmutation: ${pkg} (break below ${thresholds[pkg]}%)`);
  const run = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js'),
      'run',
      'tooling/mutation/stryker.config.mjs',
    ],
    {
      cwd: root,
      stdio: 'inherit',
      // isolate: false shares one module registry between test files (much faster; only for
      // packages whose tests pass that way: core's mock node:crypto, so it stays isolated).
      env: {
        ...process.env,
        MUTATION_PACKAGE: pkg,
        MUTATION_ISOLATE: settings[pkg].isolate === false ? '0' : '1',
      },
    },
  );
  const report = join(root, '.tmp/mutation', `${pkg}.json`);
  if (run.status !== 0) failed = true;
  if (!existsSync(report) || statSync(report).mtimeMs < started) {
    console.error(`mutation: ${pkg} produced no report (Stryker exit ${run.status})`);
    continue;
  }
  results.push({ pkg, ...scoreOf(report), threshold: thresholds[pkg] });
}

console.log('\n| package | score | killed | timeout | survived | no coverage | threshold |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  console.log(
    `| ${r.pkg} | ${r.score.toFixed(2)}% | ${r.Killed} | ${r.Timeout} | ${r.Survived} | ${r.NoCoverage} | ${r.threshold}% |`,
  );
}
console.log('\nReports: .tmp/mutation/<package>.html');
process.exit(failed ? 1 : 0);
