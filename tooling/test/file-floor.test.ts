// The per-file coverage floor of every package (FILE_FLOOR in tooling/vitest/shared.ts) enforced
// for real: a small package planted in the repository's .tmp/ is run with `vitest run` and the
// shared config, with the package-wide minimums at 0 so only the floor can fail it. A file run
// below the floor fails the run, naming the file; run at the floor, the run passes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FILE_FLOOR } from '../vitest/shared.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Ten one-line functions; `count(n)` calls the first n of them. */
const TEN_FUNCTIONS = [
  ...Array.from(
    { length: 10 },
    (_, i) => `export function f${String(i)}(): number {\n  return ${String(i)};\n}`,
  ),
  'export const all = [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9];',
].join('\n');

/**
 * Plants a package whose `src/covered.ts` is fully run and whose `src/partial.ts` has `called`
 * of its ten functions run, then runs its tests with coverage.
 */
function runPlanted(called: number): { status: number | null; output: string } {
  mkdirSync(join(repo, '.tmp'), { recursive: true });
  const root = mkdtempSync(join(repo, '.tmp', 'file-floor-'));
  dirs.push(root);
  const files: Record<string, string> = {
    'src/covered.ts': 'export const one = (): number => 1;\n',
    'src/partial.ts': `${TEN_FUNCTIONS}\n`,
    'src/covered.test.ts': [
      "import { expect, it } from 'vitest';",
      "import { one } from './covered.js';",
      "import { all } from './partial.js';",
      `it('runs', () => {`,
      '  expect(one()).toBe(1);',
      `  for (const f of all.slice(0, ${String(called)})) expect(typeof f()).toBe('number');`,
      '});',
      '',
    ].join('\n'),
    'vitest.config.ts': [
      `import { sharedVitestConfig } from ${JSON.stringify(join(repo, 'tooling/vitest/shared.ts'))};`,
      `export default sharedVitestConfig({ root: ${JSON.stringify(root)}, global: { lines: 0, functions: 0, branches: 0, statements: 0 } });`,
      '',
    ].join('\n'),
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  // A clean environment for the inner run: nothing of this vitest worker leaks into it.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'),
  );
  const run = spawnSync(
    process.execPath,
    [join(repo, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=dot'],
    {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the per-file coverage floor', () => {
  it('is above 1%', () => {
    expect(FILE_FLOOR).toBeGreaterThan(1);
  });

  it('fails a run in which one file is covered below it, naming the file, though the package-wide minimum passes', () => {
    // One function in ten: 10% of the functions, lines and statements.
    const { status, output } = runPlanted(1);
    expect(output).toMatch(
      new RegExp(
        `Coverage for functions \\(10%\\) does not meet "src/partial\\.ts" threshold \\(${String(FILE_FLOOR)}%\\)`,
      ),
    );
    expect(output).not.toMatch(/threshold[^\n]*src\/covered\.ts/);
    expect(status).toBe(1);
  });

  it('passes the same package when that file is covered above the floor', () => {
    const called = Math.ceil(FILE_FLOOR / 10) + 1;
    const { status, output } = runPlanted(called);
    expect(output).not.toMatch(/does not meet/);
    expect(status).toBe(0);
  });
});
