// Runs docs/examples/archives.ts (embedded in docs/archives.md) against the real registry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Example from '../../../docs/examples/archives.js';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import type { DockerHubClient } from '../src/index.js';
import { writeImageLayout } from './archive-fixture.js';
import { realRegistryClient } from './helpers.js';

let reg: RealRegistry;
let client: DockerHubClient;
let work: string;

beforeAll(async () => {
  reg = await startRealRegistry({ auth: 'none' });
  client = realRegistryClient(reg, 'writer');
  work = mkdtempSync(join(tmpdir(), 'svc-archives-docs-'));
});

afterAll(async () => {
  await client.close();
  await reg.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('docs/examples/archives.ts', () => {
  it('exports to a docker-archive file and imports it into another repository, same config', async () => {
    const image = await writeImageLayout(join(work, 'src'), 'v1', ['amd64']);
    await client.images.push(join(work, 'src'), `${reg.host}/docs/app:v1`);
    const path = fileURLToPath(new URL('../../../docs/examples/archives.ts', import.meta.url));
    const { roundTrip } = (await import(path)) as typeof Example;
    const lines: string[] = [];
    const result = await roundTrip(client, { from: `${reg.host}/docs/app:v1`, to: `${reg.host}/docs/copy:v1`, file: join(work, 'app.tar'), log: (l) => lines.push(l) });
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.startsWith('exported sha256:'))).toBe(true);
    expect(result.exported).toBe(image.digest);
    const pushed = await client.manifests.get(`${reg.host}/docs/copy:v1`);
    expect(pushed.digest).toBe(result.imported);
    expect(pushed.kind === 'image' ? pushed.manifest.config.digest : '').toBe(image.images[0]?.config);
  });
});
