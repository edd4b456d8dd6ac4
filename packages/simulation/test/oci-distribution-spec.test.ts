// The published OCI distribution-spec conformance suite (v1.1.1, Go; vendored and built by
// tooling/conformance/build.sh) with its pull, push, content discovery and content management
// workflows, run against the simulator on loopback (the handler `dhub serve` serves): the `oci`
// profile passes every spec with and without token auth, and the `distribution` profile fails
// exactly the specs the real registry (CNCF distribution 2.8) fails.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry } from '../../../tooling/registry/real-registry.js';
import { createSimulator } from '../src/index.js';
import type { SimulatorOptions } from '../src/index.js';

const run = promisify(execFile);
const BUILD = fileURLToPath(new URL('../../../tooling/conformance/build.sh', import.meta.url));

interface Outcome {
  readonly passed: string[];
  readonly failed: string[];
  readonly skipped: string[];
}

const PREFIX = 'OCI Distribution Conformance Tests ';

/** The spec names by status, from the suite's JUnit report. */
function parseJunit(xml: string): Outcome {
  const out: Outcome = { passed: [], failed: [], skipped: [] };
  for (const m of xml.matchAll(/<testcase name="([^"]*)"[^>]*status="(\w+)"/g)) {
    const full = (m[1] ?? '').replace(/&#39;/g, "'").replace(/&quot;/g, '"');
    // Other test cases are the suite's own reporters (e.g. "html custom reporter").
    if (!full.startsWith(PREFIX)) continue;
    const name = full.slice(PREFIX.length);
    const status = m[2] ?? '';
    if (status === 'passed') out.passed.push(name);
    else if (status === 'failed') out.failed.push(name);
    else out.skipped.push(name);
  }
  return out;
}

describe('OCI distribution-spec conformance v1.1.1', () => {
  let work: string;
  let binary: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'oci-conformance-'));
    binary = join(work, 'conformance.test');
    await run('bash', [BUILD, binary], { timeout: 280_000 });
  }, 300_000);
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  let runs = 0;
  /** Runs every workflow against `url`; the suite's exit status is read from its report. */
  async function suite(url: string, env: Record<string, string> = {}): Promise<Outcome> {
    runs += 1;
    const report = join(work, `report-${String(runs)}`);
    await run(binary, ['-ginkgo.no-color'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: work,
        OCI_ROOT_URL: url,
        OCI_NAMESPACE: 'alice/conformance',
        OCI_CROSSMOUNT_NAMESPACE: 'alice/crossmount',
        OCI_TEST_PULL: '1',
        OCI_TEST_PUSH: '1',
        OCI_TEST_CONTENT_DISCOVERY: '1',
        OCI_TEST_CONTENT_MANAGEMENT: '1',
        OCI_HIDE_SKIPPED_WORKFLOWS: '0',
        OCI_REPORT_DIR: report,
        ...env,
      },
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    }).catch(() => undefined);
    return parseJunit(await readFile(join(report, 'junit.xml'), 'utf8'));
  }

  async function againstSimulator(
    options: SimulatorOptions,
    env: Record<string, string> = {},
  ): Promise<Outcome> {
    const sim = createSimulator({ ...options, rateLimits: false });
    try {
      const { url } = await sim.listen();
      return await suite(url, env);
    } finally {
      await sim.close();
    }
  }

  it('the oci profile passes all 74 specs that run without auth', async () => {
    const out = await againstSimulator({ profile: 'oci' });
    expect(out.failed).toEqual([]);
    expect(out.passed).toHaveLength(74);
  });

  it('the oci profile passes all 75 specs with token auth and automatic cross-mounting', async () => {
    const out = await againstSimulator(
      { profile: 'oci', auth: 'token', users: [{ name: 'alice', password: 'conformance-pw' }] },
      { OCI_USERNAME: 'alice', OCI_PASSWORD: 'conformance-pw', OCI_AUTOMATIC_CROSSMOUNT: '1' },
    );
    expect(out.failed).toEqual([]);
    expect(out.passed).toHaveLength(75);
    expect(out.passed).toContain(
      'Push Cross-Repository Blob Mount Cross-mounting without from, and automatic content discovery enabled should return a 201',
    );
  });

  it('the distribution profile fails exactly the specs the real registry 2.8 fails', async () => {
    const env = { OCI_AUTOMATIC_CROSSMOUNT: '1' };
    const registry = await startRealRegistry({ auth: 'none' });
    let real: Outcome;
    try {
      real = await suite(registry.url, env);
    } finally {
      await registry.stop();
    }
    const simulated = await againstSimulator({ profile: 'distribution' }, env);
    expect(real.failed.length).toBeGreaterThan(0);
    expect([...simulated.failed].sort()).toEqual([...real.failed].sort());
    expect([...simulated.passed].sort()).toEqual([...real.passed].sort());
  });
});
