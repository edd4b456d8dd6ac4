import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const packagesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages');

/** Maps every workspace package name to its `src/index.ts`, so unit tests need no build (style C14). */
function workspaceAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const dir of readdirSync(packagesDir)) {
    const manifest = join(packagesDir, dir, 'package.json');
    const entry = join(packagesDir, dir, 'src', 'index.ts');
    if (!existsSync(manifest) || !existsSync(entry)) continue;
    const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string };
    aliases[name] = entry;
  }
  return aliases;
}

/** Options a package may set on top of the shared vitest config. */
export interface SharedVitestOptions {
  /** Minimum line coverage (percent) enforced for this package. */
  readonly linesThreshold?: number;
  /** Extra files run once before the suite (e.g. starting a real registry). */
  readonly globalSetup?: string[];
  /** Per-test timeout in ms (integration suites against real servers need more). */
  readonly testTimeout?: number;
  /** Files excluded from coverage in addition to tests. */
  readonly coverageExclude?: string[];
}

/** The vitest config every package uses: src aliases, JSON results for the summary, v8 coverage. */
export function sharedVitestConfig(options: SharedVitestOptions = {}): ViteUserConfig {
  return defineConfig({
    resolve: { alias: workspaceAliases() },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      restoreMocks: true,
      clearMocks: true,
      testTimeout: options.testTimeout ?? 20_000,
      hookTimeout: 60_000,
      globalSetup: options.globalSetup ?? [],
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
      coverage: {
        enabled: true,
        provider: 'v8',
        include: ['src/**/*.ts'],
        exclude: ['src/**/*.test.ts', 'src/**/*.test-d.ts', ...(options.coverageExclude ?? [])],
        reporter: ['text-summary', 'json-summary'],
        thresholds: { lines: options.linesThreshold ?? 80 },
      },
    },
  });
}
