// Docker Hub commands (repos, repo, search, scan) against the simulator's Hub API and registry.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachTrivyReport, cleanEnv, runBin, runInProcess, writeTestLayout } from './helpers.js';


describe('Hub commands against the simulator', () => {
  let simulator: Simulator;
  let url: string;
  let host: string;
  let env: NodeJS.ProcessEnv;
  let work: string;

  beforeAll(async () => {
    simulator = createSimulator({
      repositories: { 'acme/api': { description: 'the API server' } },
    });
    url = (await simulator.listen()).url;
    host = new URL(url).host;
    env = await cleanEnv({ DOCKER_HUB_URL: url });
    work = await mkdtemp(join(tmpdir(), 'dhub-hub-'));
    await writeTestLayout(join(work, 'layout'), 'v1');
    for (const name of ['acme/api', 'acme/web']) {
      expect(
        (await runInProcess(['push', 'layout', `${host}/${name}:v1`], { env, cwd: work })).code,
      ).toBe(0);
    }
    await attachTrivyReport(url, `${host}/acme/api:v1`, env);
  });
  afterAll(async () => {
    await simulator.close();
    await rm(work, { recursive: true, force: true });
  });

  it('repos lists a namespace (text and JSON, as the binary)', async () => {
    const text = await runBin(['repos', 'acme'], { env });
    expect(text.code).toBe(0);
    expect(
      text.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]),
    ).toEqual(['acme/api', 'acme/web']);
    const json = JSON.parse((await runInProcess(['repos', 'acme', '--json'], { env })).stdout) as {
      name: string;
      raw?: unknown;
    }[];
    expect(json.map((r) => r.name).sort()).toEqual(['api', 'web']);
    expect(json[0]?.raw).toBeUndefined();
  });

  it('repo shows one repository and fails for a missing one', async () => {
    const r = await runInProcess(['repo', 'acme/api'], { env });
    expect(r.stdout).toContain('name: acme/api\nvisibility: public\n');
    expect(r.stdout).toContain('description: the API server');
    expect(
      JSON.parse((await runInProcess(['repo', 'acme/api', '--json'], { env })).stdout),
    ).toMatchObject({ namespace: 'acme', name: 'api' });
    const missing = await runInProcess(['repo', 'acme/nope'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^NOT_FOUND: /);
    expect((await runInProcess(['repo', 'acme'], { env })).code).toBe(2);
    expect((await runInProcess(['repos', 'UPPER'], { env })).code).toBe(2);
  });

  it('search finds repositories, honouring --limit', async () => {
    const r = await runInProcess(['search', 'acme'], { env });
    expect(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]),
    ).toEqual(['acme/api', 'acme/web']);
    const one = JSON.parse(
      (await runInProcess(['search', 'acme', '--limit', '1', '--json'], { env })).stdout,
    ) as unknown[];
    expect(one).toHaveLength(1);
    expect((await runInProcess(['search', 'acme', '--limit', '0'], { env })).code).toBe(2);
    expect((await runInProcess(['search', ' '], { env })).code).toBe(2);
  });

  it('scan summarizes the attached report; an image without one says so', async () => {
    const r = await runBin(['scan', `${host}/acme/api:v1`], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^image: .*acme\/api:v1 \(sha256:[0-9a-f]{64}\)\nscanner: Trivy/);
    expect(r.stdout).toMatch(/vulnerabilities: \d+ \(critical \d+, high \d+/);
    expect(r.stdout).toContain('CVE-2024-5535');
    const json = JSON.parse(
      (await runInProcess(['scan', `${host}/acme/api:v1`, '--json'], { env })).stdout,
    ) as {
      found: boolean;
      total: number;
      counts: Record<string, number>;
    };
    expect(json.found).toBe(true);
    expect(json.total).toBe(Object.values(json.counts).reduce((a, b) => a + b, 0));
    expect(json.total).toBeGreaterThan(0);
    expect((await runInProcess(['scan', `${host}/acme/web:v1`], { env })).stdout).toBe(
      `no scan report attached to ${host}/acme/web:v1\n`,
    );
  });
});

describe('rate-limit without REF (Docker Hub probe image) against a Docker Hub profile simulator', () => {
  it('reads the pull limit from a HEAD on ratelimitpreview/test and does not spend a pull', async () => {
    const simulator = createSimulator({
      profile: 'dockerhub',
      users: [{ name: 'owner', password: 'owner-pw' }],
      rateLimits: { anonymousLimit: 7, authenticatedLimit: 9, windowSeconds: 600 },
    });
    const work = await mkdtemp(join(tmpdir(), 'dhub-rl-'));
    try {
      const url = (await simulator.listen()).url;
      const hub = { DOCKER_REGISTRY_URL: url, DOCKER_AUTH_URL: url, DOCKER_HUB_URL: url };
      await writeTestLayout(join(work, 'layout'), 'latest');
      const owner = await cleanEnv({
        ...hub,
        DOCKER_HUB_USERNAME: 'owner',
        DOCKER_HUB_PASSWORD: 'owner-pw',
      });
      expect(
        (
          await runInProcess(['push', 'layout', 'ratelimitpreview/test:latest'], {
            env: owner,
            cwd: work,
          })
        ).code,
      ).toBe(0);
      const anonymous = await cleanEnv(hub);
      const first = JSON.parse(
        (await runInProcess(['rate-limit', '--json'], { env: anonymous })).stdout,
      ) as Record<string, unknown>;
      expect(first).toMatchObject({
        reference: 'docker.io/ratelimitpreview/test:latest',
        limited: true,
        limit: 7,
        remaining: 7,
        windowSeconds: 600,
      });
      const text = await runBin(['rate-limit'], { env: anonymous });
      expect(text.stdout).toMatch(/^limit: 7 per 600s\nremaining: 7\nsource: /);
    } finally {
      await simulator.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
