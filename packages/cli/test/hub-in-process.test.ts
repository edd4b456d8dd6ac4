// Docker Hub commands in their text forms, run in-process against the simulator (the subprocess
// suite in hub.test.ts runs the same commands as the binary, which coverage does not see).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachTrivyReport, cleanEnv, runInProcess, writeTestLayout } from './helpers.js';


describe('Hub commands in-process (text forms)', () => {
  let simulator: Simulator;
  let host: string;
  let env: NodeJS.ProcessEnv;
  let work: string;

  beforeAll(async () => {
    simulator = createSimulator({
      repositories: { 'acme/api': { description: 'the API server' } },
    });
    const url = (await simulator.listen()).url;
    host = new URL(url).host;
    env = await cleanEnv({ DOCKER_HUB_URL: url });
    work = await mkdtemp(join(tmpdir(), 'dhub-hub-inproc-'));
    await writeTestLayout(join(work, 'layout'), 'v1');
    const push = await runInProcess(['push', 'layout', `${host}/acme/api:v1`], { env, cwd: work });
    expect(push.code).toBe(0);
    await attachTrivyReport(url, `${host}/acme/api:v1`, env);
  });
  afterAll(async () => {
    await simulator.close();
    await rm(work, { recursive: true, force: true });
  });

  it('scan prints the image, scanner, counts by severity and the top findings', async () => {
    const r = await runInProcess(['scan', `${host}/acme/api:v1`], { env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^image: .*acme\/api:v1 \(sha256:[0-9a-f]{64}\)$/);
    expect(lines[1]).toMatch(/^scanner: Trivy/);
    expect(lines[2]).toMatch(/^vulnerabilities: \d+ \(critical \d+, high \d+, medium \d+, low \d+/);
    const findings = lines.slice(3);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) expect(f).toMatch(/^ {2}(critical|high|medium|low|unknown) +\S+/);
    expect(r.stdout).toContain('CVE-2024-5535');
  });

  it('repos prints one line per repository, and nothing for an empty namespace', async () => {
    const r = await runInProcess(['repos', 'acme'], { env });
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('acme/api'));
    expect(line).toBeDefined();
    expect(line).toContain('public');
    expect(await runInProcess(['repos', 'nobody'], { env })).toMatchObject({ code: 0, stdout: '' });
  });
});
