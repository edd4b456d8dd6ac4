// Image archives against real software: the distribution registry, a private Docker daemon
// (dockerd from Debian's docker.io, started here, stopped afterwards) and skopeo. What dhub
// exports, `docker load` and skopeo read; what `docker save` and skopeo write, dhub imports.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDockerd, type Dockerd } from '../../../tooling/docker/dockerd.js';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import type { DockerHubClient } from '../src/index.js';
import { writeImageLayout, type FixtureImage } from './archive-fixture.js';
import { realRegistryClient } from './helpers.js';

const run = promisify(execFile);
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let reg: RealRegistry;
let dockerd: Dockerd;
let client: DockerHubClient;
let work: string;
let creds: string;
let single: FixtureImage;
let multi: FixtureImage;

async function skopeo(...args: string[]): Promise<Buffer> {
  const { stdout } = await run('skopeo', args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function exportTo(ref: string, file: string, options: Parameters<DockerHubClient['images']['export']>[2] = {}): Promise<Awaited<ReturnType<DockerHubClient['images']['export']>>> {
  return client.images.export(ref, createWriteStream(file), options);
}

beforeAll(async () => {
  // Both at once: the daemon takes a second or two, the registry less.
  [reg, dockerd] = await Promise.all([startRealRegistry({ auth: 'token' }), startDockerd()]);
  client = realRegistryClient(reg, 'writer');
  work = mkdtempSync(join(tmpdir(), 'svc-archives-'));
  const alice = reg.users.find((u) => u.name !== 'reader');
  creds = `${alice?.name ?? ''}:${alice?.password ?? ''}`;
  await dockerd.docker('login', '-u', alice?.name ?? '', '-p', alice?.password ?? '', reg.host);
  mkdirSync(join(work, 'spool'));
  single = await writeImageLayout(join(work, 'src-single'), 'v1', ['amd64']);
  await client.images.push(join(work, 'src-single'), `${reg.host}/arch/app:v1`);
  multi = await writeImageLayout(join(work, 'src-multi'), 'm1', ['amd64', 'arm64']);
  await client.images.push(join(work, 'src-multi'), `${reg.host}/arch/multi:m1`);
}, 90_000);

afterAll(async () => {
  await client.close();
  await Promise.all([reg.stop(), dockerd.stop()]);
  rmSync(work, { recursive: true, force: true });
}, 60_000);

interface DockerInspect {
  Id: string;
  RepoTags: string[];
  RootFS: { Layers: string[] };
}

describe('docker-archive with a real Docker daemon', () => {
  it('exports an image that docker load reads: image id is the config digest, RootFS.Layers the diff ids', async () => {
    const file = join(work, 'app.tar');
    const result = await exportTo(`${reg.host}/arch/app:v1`, file);
    const image = single.images[0];
    expect(result.digest).toBe(image?.manifest);
    expect(result.blobs).toBe(3);
    const loaded = await dockerd.docker('load', '-i', file);
    expect(loaded).toContain(`Loaded image: ${reg.host}/arch/app:v1`);
    const [info] = JSON.parse(await dockerd.docker('image', 'inspect', `${reg.host}/arch/app:v1`)) as DockerInspect[];
    expect(info?.Id).toBe(image?.config);
    expect(info?.RootFS.Layers).toEqual(image?.diffIds);
  });

  it('exports what docker push wrote (Docker schema 2, layers re-compressed by docker), and docker load gets the same image', async () => {
    await dockerd.docker('tag', `${reg.host}/arch/app:v1`, `${reg.host}/pushed/app:p1`);
    await dockerd.docker('push', `${reg.host}/pushed/app:p1`);
    const pushed = await client.manifests.get(`${reg.host}/pushed/app:p1`);
    expect(pushed.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    await dockerd.docker('rmi', `${reg.host}/pushed/app:p1`, `${reg.host}/arch/app:v1`);
    const file = join(work, 'pushed.tar');
    await exportTo(`${reg.host}/pushed/app:p1`, file);
    expect(await dockerd.docker('load', '-i', file)).toContain(`Loaded image: ${reg.host}/pushed/app:p1`);
    const [info] = JSON.parse(await dockerd.docker('image', 'inspect', `${reg.host}/pushed/app:p1`)) as DockerInspect[];
    expect(info?.Id).toBe(single.images[0]?.config);
    expect(info?.RootFS.Layers).toEqual(single.images[0]?.diffIds);
  });

  it('imports what docker save writes: the pushed manifest names the daemon image id as its config', async () => {
    const saved = join(work, 'saved.tar');
    await dockerd.docker('tag', `${reg.host}/pushed/app:p1`, 'saved/app:s1');
    await dockerd.docker('save', '-o', saved, 'saved/app:s1');
    const [info] = JSON.parse(await dockerd.docker('image', 'inspect', 'saved/app:s1')) as DockerInspect[];
    const target = `${reg.host}/imported/app:s1`;
    const result = await client.images.import(createReadStream(saved), target, { tempDir: join(work, 'spool') });
    expect(result.format).toBe('docker-archive');
    expect(result.blobsTransferred).toBe(3);
    const raw = await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${target}`);
    expect(sha(raw)).toBe(result.digest);
    const manifest = JSON.parse(raw.toString('utf8')) as { config: { digest: string }; layers: { mediaType: string; digest: string }[] };
    expect(manifest.config.digest).toBe(info?.Id);
    // Layers as docker save wrote them: uncompressed, so their digests are the diff ids.
    expect(manifest.layers.map((l) => l.digest)).toEqual(info?.RootFS.Layers);
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(Array(2).fill('application/vnd.oci.image.layer.v1.tar'));

    const gz = await client.images.import(saved, `${reg.host}/imported/app:gz`, { compress: true, tempDir: join(work, 'spool') });
    const gzRaw = await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${reg.host}/imported/app:gz`);
    const gzManifest = JSON.parse(gzRaw.toString('utf8')) as typeof manifest;
    expect(sha(gzRaw)).toBe(gz.digest);
    expect(gzManifest.config.digest).toBe(info?.Id);
    expect(gzManifest.layers.map((l) => l.mediaType)).toEqual(Array(2).fill('application/vnd.oci.image.layer.v1.tar+gzip'));
    expect(gzManifest.layers.map((l) => l.digest)).not.toEqual(info?.RootFS.Layers);
    // docker pulls what was imported and gets the same image.
    await dockerd.docker('pull', `${reg.host}/imported/app:gz`);
    const [pulled] = JSON.parse(await dockerd.docker('image', 'inspect', `${reg.host}/imported/app:gz`)) as DockerInspect[];
    expect(pulled?.Id).toBe(info?.Id);
  });
});

describe('oci-archive with skopeo', () => {
  it('exports --all-platforms so skopeo reads the index with the source digest', async () => {
    const file = join(work, 'multi.oci.tar');
    const result = await exportTo(`${reg.host}/arch/multi:m1`, file, { format: 'oci-archive', allPlatforms: true });
    expect(result.digest).toBe(multi.digest);
    expect(result.manifests).toBe(3);
    const raw = await skopeo('inspect', '--raw', `oci-archive:${file}`);
    expect(sha(raw)).toBe(multi.digest);
    // And skopeo copies every platform out of it, digests unchanged.
    await skopeo('copy', '--all', '--dest-tls-verify=false', '--dest-creds', creds, `oci-archive:${file}`, `docker://${reg.host}/skopeo/multi:m1`);
    const back = await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${reg.host}/skopeo/multi:m1`);
    expect(sha(back)).toBe(multi.digest);
  });

  it('imports an oci-archive skopeo wrote, digest unchanged, and one exported for a single platform', async () => {
    const file = join(work, 'skopeo.oci.tar');
    await skopeo('copy', '--all', '--src-tls-verify=false', '--src-creds', creds, `docker://${reg.host}/arch/multi:m1`, `oci-archive:${file}:m1`);
    const result = await client.images.import(file, `${reg.host}/from-skopeo/multi:m1`);
    expect(result.format).toBe('oci-archive');
    expect(result.digest).toBe(multi.digest);
    expect(result.manifests).toBe(3);

    const arm = join(work, 'arm.oci.tar');
    const exported = await exportTo(`${reg.host}/arch/multi:m1`, arm, { format: 'oci-archive', platforms: ['linux/arm64'] });
    expect(exported.digest).toBe(multi.images[1]?.manifest);
    const raw = await skopeo('inspect', '--raw', `oci-archive:${arm}`);
    expect(sha(raw)).toBe(exported.digest);
    const back = await client.images.import(arm, `${reg.host}/from-dhub/arm:a1`);
    expect(back.digest).toBe(exported.digest);
  });

  it('exports several chosen platforms as an index of just those, which skopeo reads and copies', async () => {
    const file = join(work, 'two.oci.tar');
    const result = await exportTo(`${reg.host}/arch/multi:m1`, file, { format: 'oci-archive', platforms: ['linux/arm64', 'linux/amd64'] });
    expect(result.manifests).toBe(3);
    const raw = await skopeo('inspect', '--raw', `oci-archive:${file}`);
    expect(sha(raw)).toBe(result.digest);
    const index = JSON.parse(raw.toString('utf8')) as { manifests: { digest: string }[] };
    // In the order asked for.
    expect(index.manifests.map((m) => m.digest)).toEqual([multi.images[1]?.manifest, multi.images[0]?.manifest]);
    await skopeo('copy', '--all', '--dest-tls-verify=false', '--dest-creds', creds, `oci-archive:${file}`, `docker://${reg.host}/skopeo/two:t2`);
    const back = await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${reg.host}/skopeo/two:t2`);
    expect(sha(back)).toBe(result.digest);
  });

  it('leaves no temporary files behind after the imports above', () => {
    expect(readdirSync(join(work, 'spool'))).toEqual([]);
  });
});
