import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The test helpers under tooling/ that the packages' suites import, each measured on its own: the
 * tooling tests (tooling/test/) must cover every one of them to at least this share of lines.
 * tooling/contract/registry-contract.ts is not listed: it is a suite of tests itself, run by
 * services against the simulator and the real registry. The .mjs scripts have their tests in
 * the packages (check-layers, umbrella-exports, check-packages, vendor-hub-openapi), as does
 * tooling/vitest/shared.ts (packages/docker-hub/test/vitest-shared-config.test.ts).
 */
export const TOOLING_HELPERS = [
  'docker/dockerd.ts',
  'fault-proxy/fault-proxy.ts',
  'otel/otel-harness.ts',
  'proxy/tinyproxy.ts',
  'redis/redis-server.ts',
  'registry/pki.ts',
  'registry/real-registry.ts',
  'registry/token-server.ts',
];

// The tooling project of the README's test command (tooling/scripts/test.mjs runs it after the
// packages): real programs started by the tests themselves on free loopback ports, so allow for a
// loaded machine; at most two test files at a time (dockerd and the registry are heavy).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    restoreMocks: true,
    testTimeout: 60_000,
    hookTimeout: 90_000,
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    coverage: {
      enabled: true,
      provider: 'v8',
      include: TOOLING_HELPERS,
      reporter: ['text', 'json-summary'],
      // Every helper on its own (perFile): 90% of its lines, and some of every other metric.
      thresholds: { perFile: true, lines: 90, statements: 90, functions: 80, branches: 75 },
    },
  },
});
