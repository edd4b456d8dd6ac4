import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../index.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const empty = mkdtempSync(join(tmpdir(), 'svc-index-edit-'));
const clients: DockerHubClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  rmSync(empty, { recursive: true, force: true });
});

const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function setup(port: number): { c: DockerHubClient; host: string; calls: { method: string; path: string }[] } {
  const sim = createSimulator({ profile: 'oci' });
  const calls: { method: string; path: string }[] = [];
  const dispatcher = sim.dispatcher.compose((dispatch) => (opts, handler) => {
    calls.push({ method: opts.method, path: opts.path });
    return dispatch(opts, handler);
  });
  const c = new DockerHubClient({ registryUrl: `http://127.0.0.1:${port}`, dispatcher, resilience: { maxRetries: 0 } }, { env: { DOCKER_CONFIG: empty } });
  clients.push(c);
  return { c, host: `127.0.0.1:${port}`, calls };
}

/** Pushes a one-layer image of a platform at `ref`; returns its digest. */
async function pushImage(c: DockerHubClient, ref: string, os: string, architecture: string, variant?: string): Promise<string> {
  const repo = ref.replace(/[:@][^/]*$/, '');
  const layer = Buffer.from(`layer of ${os}/${architecture}/${variant ?? ''} ${ref}`);
  const config = Buffer.from(JSON.stringify({ os, architecture, ...(variant === undefined ? {} : { variant }), rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));
  await c.blobs.upload(repo, layer);
  await c.blobs.upload(repo, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
    }),
  );
  return c.manifests.put(ref, manifest, { mediaType: OCI_MANIFEST });
}

describe('index editing on the simulator', () => {
  it('create takes each platform from the config; add, remove and filter keep the untouched entries byte for byte', async () => {
    const { c, host } = setup(65531);
    const repo = `${host}/team/app`;
    const amd = await pushImage(c, `${repo}:amd64`, 'linux', 'amd64');
    const arm = await pushImage(c, `${repo}:arm64`, 'linux', 'arm64', 'v8');
    const created = await c.indexes.create(`${repo}:1.0`, [`${repo}:amd64`, `${repo}:arm64`]);
    expect(created.mediaType).toBe(OCI_INDEX);
    expect(created.manifests.map((d) => [d.digest, d.platform])).toEqual([
      [amd, { os: 'linux', architecture: 'amd64' }],
      [arm, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ]);
    const stored = await c.manifests.get(`${repo}:1.0`);
    expect(stored.digest).toBe(created.digest);

    const riscv = await pushImage(c, `${repo}:riscv`, 'linux', 'riscv64');
    const added = await c.indexes.add(`${repo}:1.0`, [`${repo}:riscv`]);
    expect(added.added).toEqual([riscv]);
    const before = JSON.parse(new TextDecoder().decode(stored.bytes)) as { manifests: unknown[] };
    const after = JSON.parse(new TextDecoder().decode((await c.manifests.get(`${repo}:1.0`)).bytes)) as { manifests: unknown[] };
    expect(after.manifests.slice(0, 2)).toEqual(before.manifests);

    const removed = await c.indexes.remove(`${repo}:1.0`, ['linux/amd64']);
    expect(removed.removed).toEqual([amd]);
    expect(removed.manifests.map((d) => d.digest)).toEqual([arm, riscv]);

    const filtered = await c.indexes.filter(`${repo}:1.0`, ['linux/riscv64'], `${host}/other/app:riscv-only`);
    expect(filtered.manifests.map((d) => d.digest)).toEqual([riscv]);
    // The kept child was brought into the other repository with its exact bytes.
    expect((await c.manifests.get(`${host}/other/app@${riscv}`)).digest).toBe(riscv);
    const child = await c.manifests.get(`${host}/other/app@${riscv}`);
    if (child.kind !== 'image') throw new Error('expected an image');
    for (const d of [child.manifest.config, ...child.manifest.layers]) expect(await c.blobs.exists(`${host}/other/app`, d.digest)).toBe(true);
  });

  it('add replaces the entry of a platform already listed; create from another repository brings the images over', async () => {
    const { c, host } = setup(65534);
    const repo = `${host}/team/replace`;
    const amd = await pushImage(c, `${repo}:amd64`, 'linux', 'amd64');
    const arm = await pushImage(c, `${repo}:arm64`, 'linux', 'arm64');
    await c.indexes.create(`${repo}:idx`, [`${repo}:amd64`, `${repo}:arm64`]);
    const amd2 = await pushImage(c, `${repo}:amd64-rebuilt`, 'linux', 'amd64');
    const added = await c.indexes.add(`${repo}:idx`, [`${repo}:amd64-rebuilt`]);
    expect(added.removed).toEqual([amd]);
    expect(added.manifests.map((d) => d.digest)).toEqual([arm, amd2]);

    const moved = await c.indexes.create(`${host}/elsewhere/app:1`, [`${repo}:idx`]);
    expect(moved.manifests.map((d) => d.digest)).toEqual([arm, amd2]);
    for (const d of [arm, amd2]) {
      const m = await c.manifests.get(`${host}/elsewhere/app@${d}`);
      if (m.kind !== 'image') throw new Error('expected an image');
      for (const b of [m.manifest.config, ...m.manifest.layers]) expect(await c.blobs.exists(`${host}/elsewhere/app`, b.digest)).toBe(true);
    }
    await expect(c.indexes.create(`${repo}@${amd}`, [`${repo}:amd64`])).rejects.toThrow('must name a tag');
  });

  it('an index with an attestation: filter keeps the attestation of a kept platform and drops the others', async () => {
    const { c, host } = setup(65532);
    const repo = `${host}/team/att`;
    const amd = await pushImage(c, `${repo}:a`, 'linux', 'amd64');
    const arm = await pushImage(c, `${repo}:b`, 'linux', 'arm64');
    const att = await pushImage(c, `${repo}:att`, 'unknown', 'unknown');
    const get = async (d: string): Promise<number> => (await c.manifests.get(`${repo}@${d}`)).size;
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          { mediaType: OCI_MANIFEST, digest: amd, size: await get(amd), platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: OCI_MANIFEST, digest: arm, size: await get(arm), platform: { os: 'linux', architecture: 'arm64' } },
          { mediaType: OCI_MANIFEST, digest: att, size: await get(att), platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.digest': amd, 'vnd.docker.reference.type': 'attestation-manifest' } },
        ],
        annotations: { 'org.example': 'kept' },
      }),
    );
    await c.manifests.put(`${repo}:multi`, index, { mediaType: OCI_INDEX });
    const amdOnly = await c.indexes.filter(`${repo}:multi`, ['linux/amd64'], `${repo}:amd-only`);
    expect(amdOnly.manifests.map((d) => d.digest)).toEqual([amd, att]);
    const doc = JSON.parse(new TextDecoder().decode((await c.manifests.get(`${repo}:amd-only`)).bytes)) as { annotations: unknown };
    expect(doc.annotations).toEqual({ 'org.example': 'kept' });
    const armOnly = await c.indexes.filter(`${repo}:multi`, ['linux/arm64'], `${repo}:arm-only`);
    expect(armOnly.manifests.map((d) => d.digest)).toEqual([arm]);
  });

  it('bad input fails before anything is written: a missing source or index, an unknown platform, two images of one platform, removing the last image', async () => {
    const { c, host, calls } = setup(65533);
    const repo = `${host}/team/bad`;
    await pushImage(c, `${repo}:amd64`, 'linux', 'amd64');
    await pushImage(c, `${repo}:amd64-again`, 'linux', 'amd64');
    const absent = `sha256:${'0'.repeat(64)}`;
    const writes = (): number => calls.filter((x) => x.method === 'PUT' || x.method === 'POST' || x.method === 'PATCH').length;
    const start = writes();
    await expect(c.indexes.create(`${repo}:idx`, [`${repo}:amd64`, `${repo}@${absent}`])).rejects.toThrow(`SRC ${repo}@${absent} does not exist`);
    await expect(c.indexes.create(`${repo}:idx`, [`${repo}:amd64`, `${repo}:amd64-again`])).rejects.toThrow(/two images for linux\/amd64/);
    const afterSeed = writes();
    await expect(c.indexes.add(`${repo}:idx`, [`${repo}@${absent}`])).rejects.toThrow(`index ${repo}:idx does not exist`);
    await c.indexes.create(`${repo}:idx`, [`${repo}:amd64`]);
    const afterCreate = writes();
    await expect(c.indexes.add(`${repo}:idx`, [`${repo}@${absent}`])).rejects.toThrow(`SRC ${repo}@${absent} does not exist`);
    await expect(c.indexes.filter(`${repo}:idx`, ['linux/s390x'], `${repo}:x`)).rejects.toMatchObject({ code: 'PLATFORM_NOT_FOUND' });
    await expect(c.indexes.remove(`${repo}:idx`, ['linux/amd64'])).rejects.toThrow(/without any image/);
    await expect(c.indexes.remove(`${repo}:amd64`, ['linux/amd64'])).rejects.toThrow(/is a single image/);
    expect(writes()).toBe(afterCreate);
    expect(afterSeed).toBe(start);
  });
});
