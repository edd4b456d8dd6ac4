// Runs docs/examples/mirroring.ts (embedded in docs/mirroring.md) against the simulator.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Example from '../../../docs/examples/mirroring.js';
import { DockerHubClient } from '../src/index.js';
import { seedRepository } from './repo-fixture.js';

const SIM = 'http://127.0.0.1:65532';
let sim: Simulator;
let client: DockerHubClient;
let work: string;
let example: typeof Example;

beforeAll(async () => {
  sim = createSimulator({ auth: 'none' });
  work = mkdtempSync(join(tmpdir(), 'svc-mirroring-docs-'));
  client = new DockerHubClient({ registryUrl: SIM, dispatcher: sim.dispatcher }, { env: { DOCKER_CONFIG: work } });
  await seedRepository(client, '127.0.0.1:65532/library/app', ['0.9.0', '1.0.0', '1.1.0-rc.1', '1.1.0', 'latest'], ['amd64'], 1024);
  example = (await import(fileURLToPath(new URL('../../../docs/examples/mirroring.ts', import.meta.url)))) as typeof Example;
});

afterAll(async () => {
  await client.close();
  await sim.close();
  rmSync(work, { recursive: true, force: true });
});

describe('docs/examples/mirroring.ts', () => {
  it('mirrors the release tags, then finds them unchanged', async () => {
    const lines: string[] = [];
    const first = await example.mirrorReleases(client, '127.0.0.1:65532/library/app', '127.0.0.1:65532/mirror/app', (l) => lines.push(l));
    expect(first).toMatchObject({ copied: 2, failed: 0 });
    expect(lines.slice(0, -1).sort()).toEqual(['1.0.0: copied', '1.1.0: copied']);
    expect(lines.at(-1)).toBe('2 copied, 0 unchanged, 0 failed');
    const again = await example.mirrorReleases(client, '127.0.0.1:65532/library/app', '127.0.0.1:65532/mirror/app', () => undefined);
    expect(again).toMatchObject({ copied: 0, unchanged: 2, manifestGets: 0 });
  });

  it('runs a sync file, and reports a mistake in one with its position', async () => {
    const good = join(work, 'mirror.yaml');
    writeFileSync(good, 'syncs:\n  - source: 127.0.0.1:65532/library/app\n    target: 127.0.0.1:65532/synced/app\n    tags: { include: latest }\n');
    expect(await example.syncFile(client, good, () => undefined)).toBe(0);
    expect(await client.tags.list('127.0.0.1:65532/synced/app')).toEqual(['latest']);
    const bad = join(work, 'bad.yaml');
    writeFileSync(bad, 'syncs:\n  - source: 127.0.0.1:65532/library/app\n    target: 127.0.0.1:65532/synced/app\n    tagz: {}\n');
    const problems: string[] = [];
    expect(await example.syncFile(client, bad, (l) => problems.push(l))).toBe(-1);
    expect(problems).toEqual([`syncs.0.tagz: unknown key; expected one of source, target, tags, platforms, referrers, jobs (at ${bad}:4:5)`]);
  });
});
