// Tests of the coverage gates every package's vitest.config.ts builds with sharedVitestConfig
// (tooling/vitest/shared.ts): the package-wide minimums, the per-file floor, the per-group globs
// and the no-runtime-code exclusions, on small planted packages.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_THRESHOLD,
  FILE_FLOOR,
  sharedVitestConfig,
  type SharedVitestOptions,
} from '../../../tooling/vitest/shared.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A package directory with the given files (paths relative to it). */
function plant(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'shared-vitest-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const CODE = 'export const x = 1;\n';
const TYPES = 'export interface A { a: string }\nexport type B = A;\n';

function thresholdsOf(root: string, options: Omit<SharedVitestOptions, 'root'> = {}) {
  const config = sharedVitestConfig({ ...options, root });
  const coverage = config.test?.coverage as {
    thresholds: Record<string, unknown>;
    exclude: string[];
  };
  return { thresholds: coverage.thresholds, exclude: coverage.exclude, config };
}

describe('sharedVitestConfig coverage gates', () => {
  it('gates the package at the defaults and every source file at the floor, tests and listed files excluded', () => {
    const root = plant({
      'src/a.ts': CODE,
      'src/deep/b.ts': CODE,
      'src/a.test.ts': CODE,
      'src/types.ts': TYPES,
    });
    const { thresholds, exclude, config } = thresholdsOf(root, { noRuntimeCode: ['src/types.ts'] });
    const floor = {
      lines: FILE_FLOOR,
      functions: FILE_FLOOR,
      branches: FILE_FLOOR,
      statements: FILE_FLOOR,
    };
    expect(thresholds).toEqual({
      lines: DEFAULT_THRESHOLD,
      functions: DEFAULT_THRESHOLD,
      branches: DEFAULT_THRESHOLD,
      statements: DEFAULT_THRESHOLD,
      'src/a.ts': floor,
      'src/deep/b.ts': floor,
    });
    expect(exclude).toContain('src/types.ts');
    expect(config.root).toBe(root);
  });

  it('takes package-wide minimums and stricter groups, which replace the floor of their files only', () => {
    const root = plant({ 'src/a.ts': CODE, 'src/errors/e.ts': CODE });
    const strict = { lines: 100, functions: 100, branches: 100, statements: 100 };
    const { thresholds } = thresholdsOf(root, {
      global: { lines: 90 },
      thresholds: { 'src/errors/**': strict, 'src/a.ts': strict },
    });
    expect(thresholds).toMatchObject({
      lines: 90,
      functions: DEFAULT_THRESHOLD,
      'src/errors/**': strict,
      'src/a.ts': strict,
      'src/errors/e.ts': { lines: FILE_FLOOR },
    });
  });

  it('refuses a group glob that matches no covered file, naming it', () => {
    const root = plant({ 'src/a.ts': CODE });
    expect(() => thresholdsOf(root, { thresholds: { 'src/gone/**': { lines: 95 } } })).toThrow(
      'coverage threshold glob "src/gone/**" matches no covered file under src/',
    );
    expect(() => thresholdsOf(root, { thresholds: { 'src/{a,b}.ts': { lines: 95 } } })).toThrow(
      'only *, ** and ? are supported',
    );
  });

  it('refuses to exclude a file with code, and refuses to leave a type-only file unlisted', () => {
    const root = plant({ 'src/a.ts': CODE, 'src/types.ts': TYPES });
    expect(() => thresholdsOf(root, { noRuntimeCode: ['src/a.ts', 'src/types.ts'] })).toThrow(
      'src/a.ts is listed in noRuntimeCode but has runtime code',
    );
    expect(() => thresholdsOf(root)).toThrow('src/types.ts have no runtime code');
    expect(() => thresholdsOf(root, { noRuntimeCode: ['src/types.ts', 'src/none.ts'] })).toThrow(
      'noRuntimeCode lists src/none.ts, which does not exist',
    );
  });

  it('matches group globs segment by segment (* stays in one folder, ** crosses folders, ? is one character)', () => {
    const root = plant({ 'src/x/a1.ts': CODE, 'src/x/y/a2.ts': CODE });
    const gate = { lines: 99 };
    expect(() => thresholdsOf(root, { thresholds: { 'src/*/a?.ts': gate } })).not.toThrow();
    expect(() => thresholdsOf(root, { thresholds: { 'src/**/a2.ts': gate } })).not.toThrow();
    expect(() => thresholdsOf(root, { thresholds: { 'src/*/a2.ts': gate } })).toThrow(
      'matches no covered file',
    );
    expect(() => thresholdsOf(root, { thresholds: { 'src/x/a??.ts': gate } })).toThrow(
      'matches no covered file',
    );
  });
});
