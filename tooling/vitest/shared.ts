import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const packagesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages');

/**
 * Maps every workspace package name to its `src/index.ts`, and each subpath export `./x` to
 * `src/x.ts`, so unit tests need no build (style C14). Subpaths come first: an alias also
 * matches `name/...`, and the first match wins.
 */
function workspaceAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const dir of readdirSync(packagesDir)) {
    const manifest = join(packagesDir, dir, 'package.json');
    const entry = join(packagesDir, dir, 'src', 'index.ts');
    if (!existsSync(manifest) || !existsSync(entry)) continue;
    const { name, exports = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as {
      name: string;
      exports?: Record<string, unknown>;
    };
    for (const sub of Object.keys(exports)) {
      const file = join(packagesDir, dir, 'src', `${sub.slice(2)}.ts`);
      if (sub.startsWith('./') && existsSync(file)) aliases[`${name}/${sub.slice(2)}`] = file;
    }
    aliases[name] = entry;
  }
  return aliases;
}

/** Minimum coverage percentages; a metric left out is not checked. */
export interface CoverageMetrics {
  readonly lines?: number;
  readonly functions?: number;
  readonly branches?: number;
  readonly statements?: number;
}

/** Options a package may set on top of the shared vitest config. */
export interface SharedVitestOptions {
  /**
   * The package directory (default: the working directory, where `vitest run` and turbo start).
   * Give it when the config may be loaded from elsewhere, e.g. by the mutation runner, which
   * runs every package's tests from a copy of the repository root.
   */
  readonly root?: string;
  /**
   * Package-wide minimum coverage over all its `src` files. Each metric defaults to
   * {@link DEFAULT_THRESHOLD} (80) when left out.
   */
  readonly global?: CoverageMetrics;
  /**
   * Stricter minimums for groups of files, keyed by a glob relative to the package directory
   * (`src/errors/**`). Each group is measured on its own (files in a group still count toward
   * `global`). A glob that matches no covered file is a configuration error, so a renamed module
   * cannot silently drop out of its gate. Supported glob syntax: `*`, `**`, `?`.
   */
  readonly thresholds?: Readonly<Record<string, CoverageMetrics>>;
  /**
   * Source files with no runtime code (only types, interfaces and re-exports) excluded from
   * coverage, relative to the package directory. The config checks with the TypeScript parser
   * that each listed file really has no runtime code, and that every `src` file without runtime
   * code is listed, so an exclusion can never hide code and no file shows up as 0%.
   */
  readonly noRuntimeCode?: readonly string[];
  /** Other files excluded from coverage (e.g. a bin shim that only runs in a subprocess). */
  readonly coverageExclude?: readonly string[];
  /** Extra files run once before the suite (e.g. starting a real registry). */
  readonly globalSetup?: string[];
  /** Per-test timeout in ms (integration suites against real servers need more). */
  readonly testTimeout?: number;
}

/** Package-wide minimum (percent) for lines, functions, branches and statements. */
export const DEFAULT_THRESHOLD = 80;

/**
 * Minimum (percent) every single covered file must reach on every metric it has, so no file sits
 * at or near 0% (never imported, or hardly any of it run) behind a package-wide average. It is
 * kept a little under the least-covered file of the tree (a cli command measured in-process only,
 * by branches); packages that want more set a group glob. A metric a file does not have (no
 * functions, no branches) counts as 100%.
 */
export const FILE_FLOOR = 20;

const TEST_FILE = /\.(?:test|test-d)\.ts$/;

/** The covered source files of the package in `root`, as `/`-separated paths relative to it. */
function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name)) {
        out.push(relative(root, path).split(sep).join('/'));
      }
    }
  };
  walk(join(root, 'src'));
  return out.sort();
}

/** A regular expression for the glob subset the thresholds use (`**`, `*`, `?`). */
function globToRegExp(glob: string): RegExp {
  if (/[[\]{}()!+@]/.test(glob)) {
    throw new Error(`coverage glob "${glob}": only *, ** and ? are supported here`);
  }
  let pattern = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob.charAt(i);
    if (glob.startsWith('**/', i)) {
      pattern += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      pattern += '.*';
      i += 1;
    } else if (char === '*') pattern += '[^/]*';
    else if (char === '?') pattern += '[^/]';
    else pattern += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}

const TYPE_ONLY_STATEMENTS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.InterfaceDeclaration,
  ts.SyntaxKind.TypeAliasDeclaration,
  ts.SyntaxKind.ImportDeclaration,
  ts.SyntaxKind.ExportDeclaration,
  ts.SyntaxKind.EmptyStatement,
]);

/** Whether a TypeScript file holds no code that coverage could count (types, imports, re-exports). */
function hasNoRuntimeCode(file: string): boolean {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  return source.statements.every((statement) => TYPE_ONLY_STATEMENTS.has(statement.kind));
}

/** Checks `noRuntimeCode` both ways; throws naming the file that breaks the rule. */
function checkNoRuntimeCode(
  root: string,
  files: readonly string[],
  listed: readonly string[],
): void {
  for (const path of listed) {
    if (!existsSync(join(root, path))) {
      throw new Error(`coverage: noRuntimeCode lists ${path}, which does not exist`);
    }
    if (!hasNoRuntimeCode(join(root, path))) {
      throw new Error(
        `coverage: ${path} is listed in noRuntimeCode but has runtime code; remove it from the list so it is measured`,
      );
    }
  }
  const unlisted = files.filter((p) => !listed.includes(p) && hasNoRuntimeCode(join(root, p)));
  if (unlisted.length > 0) {
    throw new Error(
      `coverage: ${unlisted.join(', ')} have no runtime code (types or re-exports only) and would show as 0%; list them in noRuntimeCode`,
    );
  }
}

/**
 * The coverage thresholds vitest enforces: the package-wide minimum, the stricter per-module
 * groups, and a {@link FILE_FLOOR} entry per covered file.
 */
function coverageThresholds(
  root: string,
  options: SharedVitestOptions,
  excluded: readonly string[],
): Record<string, number | CoverageMetrics> {
  const excludedPatterns = excluded.map(globToRegExp);
  const covered = sourceFiles(root).filter((f) => !excludedPatterns.some((re) => re.test(f)));
  checkNoRuntimeCode(root, covered, options.noRuntimeCode ?? []);
  const thresholds: Record<string, number | CoverageMetrics> = {
    lines: options.global?.lines ?? DEFAULT_THRESHOLD,
    functions: options.global?.functions ?? DEFAULT_THRESHOLD,
    branches: options.global?.branches ?? DEFAULT_THRESHOLD,
    statements: options.global?.statements ?? DEFAULT_THRESHOLD,
  };
  for (const [glob, metrics] of Object.entries(options.thresholds ?? {})) {
    const re = globToRegExp(glob);
    if (!covered.some((f) => re.test(f))) {
      throw new Error(`coverage threshold glob "${glob}" matches no covered file under src/`);
    }
    thresholds[glob] = metrics;
  }
  for (const file of covered) {
    // Each key is a glob to vitest; plain paths with these characters match only themselves.
    if (!/^[\w./-]+$/.test(file)) throw new Error(`coverage: unexpected characters in ${file}`);
    thresholds[file] ??= {
      lines: FILE_FLOOR,
      functions: FILE_FLOOR,
      branches: FILE_FLOOR,
      statements: FILE_FLOOR,
    };
  }
  return thresholds;
}

/**
 * The vitest config every package uses: src aliases, JSON results for the summary, v8 coverage
 * with enforced thresholds (a miss fails `vitest run`). Call it from the package directory (the
 * directory vitest runs in), as `vitest run` and turbo do, or give `options.root`.
 * @param options - package settings on top of the shared defaults
 * @returns the vitest config
 * @throws Error when a coverage glob matches nothing or `noRuntimeCode` is wrong
 */
export function sharedVitestConfig(options: SharedVitestOptions = {}): ViteUserConfig {
  const root = options.root ?? process.cwd();
  const exclude = [
    'src/**/*.test.ts',
    'src/**/*.test-d.ts',
    ...(options.noRuntimeCode ?? []),
    ...(options.coverageExclude ?? []),
  ];
  return defineConfig({
    root,
    resolve: { alias: workspaceAliases() },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      restoreMocks: true,
      // `pnpm mutation` may let the test files of a run share one module registry
      // (MUTATION_ISOLATE=0, set by tooling/mutation/run.mjs for packages whose tests allow it):
      // Stryker switches mutants on at run time, so nothing needs reloading, and loading each
      // file's imports afresh for every mutant made a run take hours.
      isolate: process.env['MUTATION_ISOLATE'] !== '0',
      clearMocks: true,
      testTimeout: options.testTimeout ?? 20_000,
      hookTimeout: 60_000,
      globalSetup: options.globalSetup ?? [],
      // Under `pnpm mutation`: one fixed fast-check seed, so property test names stay stable.
      setupFiles:
        process.env['MUTATION_PACKAGE'] === undefined
          ? []
          : [join(dirname(fileURLToPath(import.meta.url)), '../mutation/fixed-seed.ts')],
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
      coverage: {
        enabled: true,
        provider: 'v8',
        include: ['src/**/*.ts'],
        exclude,
        reporter: ['text-summary', 'json-summary'],
        thresholds: coverageThresholds(root, options, exclude),
      },
    },
  });
}
