// dhub's import against the real registry. The forms docker and skopeo write (Docker 25+'s OCI
// layout with manifest.json, several images in one archive, layers as links); and hostile or
// damaged archives: each is refused with a typed error before anything is sent (no blob, no
// manifest in the target repository) and leaves no temporary file behind. The archives are
// built here from valid exports.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, DigestMismatchError, LimitExceededError, SizeMismatchError, ValidationError } from '@llmdevops/docker-hub-core';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { ArchiveInvalidError, type DockerHubClient, type ImportOptions } from '../src/index.js';
import { encodeHeader } from '../src/archives/tar-format.js';
import { readTar } from '../src/archives/tar-reader.js';
import { tarBuffer, writeImageLayout } from './archive-fixture.js';
import { realRegistryClient } from './helpers.js';

interface Entry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'hardlink';
  data?: Buffer;
  linkname?: string;
}

let reg: RealRegistry;
let client: DockerHubClient;
let work: string;
let spool: string;
let dockerArchive: Entry[];
let ociArchive: Entry[];
let digests: string[];
let second: Entry[];

async function exportEntries(ref: string, format: 'docker-archive' | 'oci-archive', allPlatforms = false): Promise<Entry[]> {
  const parts: Buffer[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, done) { parts.push(chunk); done(); } });
  await client.images.export(ref, sink, { format, allPlatforms });
  const entries: Entry[] = [];
  await readTar([Buffer.concat(parts)], {}, (e) => {
    const entry: Entry = { name: e.name, type: e.type, ...(e.target === undefined ? {} : { linkname: e.target }) };
    entries.push(entry);
    if (e.type !== 'file') return undefined;
    const data: Buffer[] = [];
    return { write: (c) => data.push(Buffer.from(c)), end: () => { entry.data = Buffer.concat(data); } };
  });
  return entries;
}

const build = (entries: readonly Entry[]): Promise<Buffer> => tarBuffer(entries);

/** A header block with any type flag (devices, FIFOs), checksum recomputed. */
function rawEntry(name: string, flag: string): Buffer {
  const [block] = encodeHeader({ name, type: 'file', size: 0 });
  if (block === undefined) throw new Error('no header');
  block.write(flag, 156, 1, 'ascii');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

let counter = 0;
/** Imports into a fresh repository and checks that the import failed and nothing arrived there. */
async function refused(archive: Buffer | string, options: ImportOptions = {}): Promise<unknown> {
  const target = `${reg.host}/hostile/case${++counter}:t`;
  const source = typeof archive === 'string' ? archive : Readable.from([archive]);
  const err = await client.images.import(source, target, { tempDir: spool, ...options }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeDefined();
  for (const d of digests) expect(await client.blobs.exists(target, d)).toBe(false);
  await expect(client.manifests.head(target)).rejects.toMatchObject({ status: 404 });
  expect(readdirSync(spool)).toEqual([]);
  return err;
}

function withEntries(base: readonly Entry[], ...extra: Entry[]): Entry[] {
  return [...base, ...extra];
}

beforeAll(async () => {
  reg = await startRealRegistry({ auth: 'none' });
  client = realRegistryClient(reg, 'writer');
  work = mkdtempSync(join(tmpdir(), 'svc-archives-hostile-'));
  spool = join(work, 'spool');
  mkdirSync(spool);
  await writeImageLayout(join(work, 'src'), 'h1', ['amd64'], 20_000);
  await client.images.push(join(work, 'src'), `${reg.host}/base/app:h1`);
  dockerArchive = await exportEntries(`${reg.host}/base/app:h1`, 'docker-archive');
  ociArchive = await exportEntries(`${reg.host}/base/app:h1`, 'oci-archive');
  await writeImageLayout(join(work, 'src2'), 'h2', ['arm64'], 10_000);
  await client.images.push(join(work, 'src2'), `${reg.host}/base/other:h2`);
  second = await exportEntries(`${reg.host}/base/other:h2`, 'docker-archive');
  digests = ociArchive.filter((e) => e.name.startsWith('blobs/sha256/') && e.type === 'file').map((e) => `sha256:${e.name.slice(13)}`);
}, 60_000);

afterAll(async () => {
  await client.close();
  await reg.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('hostile archives are refused with nothing pushed', () => {
  it('the unmodified archives import (the baseline the cases below break)', async () => {
    const ok = await client.images.import(await build(dockerArchive), `${reg.host}/hostile/baseline:d`, { tempDir: spool });
    expect(ok.blobsTransferred).toBe(3);
    const oci = await client.images.import(await build(ociArchive), `${reg.host}/hostile/baseline:o`, { tempDir: spool });
    expect(oci.format).toBe('oci-archive');
  });

  it.each([
    ['an absolute path', { name: '/etc/cron.d/evil', type: 'file', data: Buffer.from('x') }, 'absolute-path'],
    ['a ".." segment', { name: 'blobs/../../evil', type: 'file', data: Buffer.from('x') }, 'parent-path'],
    ['a symbolic link out of the archive', { name: 'escape', type: 'symlink', linkname: '../../etc/passwd' }, 'link-escape'],
    ['a symbolic link to an absolute path', { name: 'abs', type: 'symlink', linkname: '/etc/shadow' }, 'link-escape'],
    ['a hard link out of the archive', { name: 'hard', type: 'hardlink', linkname: '../outside' }, 'link-escape'],
    ['a duplicate name', { name: 'manifest.json', type: 'file', data: Buffer.from('[]') }, 'duplicate'],
  ] as const)('%s', async (_what, extra, problem) => {
    const err = await refused(await build(withEntries(dockerArchive, { ...extra })));
    expect(err).toBeInstanceOf(ArchiveInvalidError);
    expect(err).toMatchObject({ problem, code: 'INVALID_ARGUMENT' });
  });

  it('a device entry', async () => {
    const valid = await build(dockerArchive);
    const archive = Buffer.concat([rawEntry('dev/sda', '4'), valid]);
    expect(await refused(archive)).toMatchObject({ problem: 'entry-type', entry: 'dev/sda' });
  });

  it('a layer that is a link to a directory', async () => {
    const entries = dockerArchive.map((e) => ({ ...e }));
    const layer = entries.find((e) => e.name.endsWith('/layer.tar'));
    if (layer === undefined) throw new Error('no layer');
    layer.type = 'symlink';
    layer.linkname = '.';
    delete layer.data;
    expect(await refused(await build(entries))).toMatchObject({ problem: 'link-target' });
  });

  it('a blob whose size disagrees with its descriptor', async () => {
    const entries = ociArchive.map((e) => ({ ...e }));
    const blob = entries.find((e) => e.data?.[0] === 0x1f);
    if (blob?.data === undefined) throw new Error('no gzip blob');
    blob.data = Buffer.concat([blob.data, Buffer.from('extra')]);
    expect(await refused(await build(entries))).toBeInstanceOf(SizeMismatchError);
  });

  it('a blob whose bytes disagree with its digest, and a layer that disagrees with its diff id', async () => {
    const oci = ociArchive.map((e) => ({ ...e }));
    const blob = oci.find((e) => e.data?.[0] === 0x1f);
    if (blob?.data === undefined) throw new Error('no gzip blob');
    const flipped = Buffer.from(blob.data);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 0xff;
    blob.data = flipped;
    expect(await refused(await build(oci))).toBeInstanceOf(DigestMismatchError);

    // A config (named without a digest) whose diff id does not match the layer.
    const docker = dockerArchive.map((e) => ({ ...e }));
    const config = docker.find((e) => /^[a-f0-9]{64}\.json$/.test(e.name));
    const manifest = docker.find((e) => e.name === 'manifest.json');
    if (config?.data === undefined || manifest?.data === undefined) throw new Error('no config');
    const parsed = JSON.parse(config.data.toString('utf8')) as { rootfs: { diff_ids: string[] } };
    parsed.rootfs.diff_ids[0] = `sha256:${'0'.repeat(64)}`;
    manifest.data = Buffer.from(manifest.data.toString('utf8').replace(config.name, 'config.json'));
    config.name = 'config.json';
    config.data = Buffer.from(JSON.stringify(parsed));
    const err = await refused(await build(docker));
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect(err).toMatchObject({ expected: `sha256:${'0'.repeat(64)}` });
  });

  it('a gzip layer that does not decompress', async () => {
    const docker = dockerArchive.map((e) => ({ ...e }));
    const layer = docker.find((e) => e.name.endsWith('/layer.tar'));
    if (layer?.data === undefined) throw new Error('no layer');
    layer.data = Buffer.from(layer.data);
    layer.data[100] = (layer.data[100] ?? 0) ^ 0xff;
    expect(await refused(await build(docker))).toMatchObject({ problem: 'corrupt' });
  });

  it('a config whose bytes disagree with the digest its name states', async () => {
    const docker = dockerArchive.map((e) => ({ ...e }));
    const config = docker.find((e) => /^[a-f0-9]{64}\.json$/.test(e.name));
    if (config?.data === undefined) throw new Error('no config');
    config.data = Buffer.from(config.data.toString('utf8').replace('"os":"linux"', '"os":"Linux"'));
    expect(await refused(await build(docker))).toBeInstanceOf(DigestMismatchError);
  });

  it('more bytes or entries than the caps allow', async () => {
    const archive = await build(dockerArchive);
    expect(await refused(archive, { maxSize: 10_000 })).toMatchObject({ limit: 'maxSize', max: 10_000 });
    expect(await refused(archive, { maxEntries: 3 })).toMatchObject({ limit: 'maxEntries', max: 3 });
    expect(await refused(archive, { maxSize: 10_000 })).toBeInstanceOf(LimitExceededError);
  });

  it('a truncated archive, from a stream and from a file', async () => {
    const archive = await build(dockerArchive);
    const cut = archive.subarray(0, Math.floor(archive.length / 2));
    expect(await refused(cut)).toMatchObject({ problem: 'truncated' });
    const file = join(work, 'cut.tar');
    writeFileSync(file, archive.subarray(0, archive.length - 1024));
    expect(await refused(file)).toMatchObject({ problem: 'truncated' });
  });

  it('bytes that are not a tar archive', async () => {
    const junk = createHash('sha512').update('junk').digest();
    expect(await refused(Buffer.concat(Array(16).fill(junk) as Buffer[]))).toMatchObject({ problem: 'not-tar' });
  });

  it('an archive with neither manifest.json nor index.json, and one without the image asked for', async () => {
    const bare = dockerArchive.filter((e) => e.name !== 'manifest.json');
    expect(await refused(await build(bare))).toMatchObject({ problem: 'layout' });
    const err = await refused(await build(dockerArchive), { image: 'other/app:v9' });
    expect(err).toMatchObject({ problem: 'layout' });
    expect((err as Error).message).toContain(`${reg.host}/base/app:h1`);
  });
});

const json = (e: Entry | undefined): unknown => JSON.parse(e?.data?.toString('utf8') ?? 'null');
const named = (entries: readonly Entry[], name: string): Entry | undefined => entries.find((e) => e.name === name);

describe('archive forms docker and skopeo write', () => {
  it("Docker 25+'s OCI layout with manifest.json: chosen by RepoTag, manifests pushed as they are", async () => {
    const index = json(named(ociArchive, 'index.json')) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    const top = index.manifests[0];
    if (top === undefined) throw new Error('no index entry');
    // Docker 25 names the entry only by its full name; the RepoTag in manifest.json is familiar.
    top.annotations = { 'io.containerd.image.name': 'docker.io/example/app:d25' };
    const manifest = json(named(ociArchive, `blobs/sha256/${top.digest.slice(7)}`)) as { config: { digest: string }; layers: { digest: string }[] };
    const entries = [
      ...ociArchive.filter((e) => e.name !== 'index.json'),
      { name: 'index.json', type: 'file', data: Buffer.from(JSON.stringify(index)) },
      { name: 'manifest.json', type: 'file', data: Buffer.from(JSON.stringify([{
        Config: `blobs/sha256/${manifest.config.digest.slice(7)}`, RepoTags: ['example/app:d25'],
        Layers: manifest.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
      }])) },
    ] satisfies Entry[];
    const archive = await build(entries);
    const byName = await client.images.import(archive, `${reg.host}/forms/d25:a`, { image: 'example/app:d25', tempDir: spool });
    expect(byName).toMatchObject({ format: 'oci-archive', digest: top.digest });
    // Chosen through manifest.json when index.json has no usable name.
    delete (top as { annotations?: unknown }).annotations;
    const unnamed = [...entries.filter((e) => e.name !== 'index.json'), { name: 'index.json', type: 'file', data: Buffer.from(JSON.stringify(index)) } satisfies Entry];
    const byTag = await client.images.import(await build(unnamed), `${reg.host}/forms/d25:b`, { image: 'docker.io/example/app:d25', tempDir: spool });
    expect(byTag.digest).toBe(top.digest);
    // compress takes the manifest.json route (a new manifest, same config).
    const rebuilt = await client.images.import(archive, `${reg.host}/forms/d25:c`, { compress: true, tempDir: spool });
    expect(rebuilt.format).toBe('docker-archive');
    const pushed = await client.manifests.get(`${reg.host}/forms/d25:c`);
    expect(pushed.kind === 'image' ? pushed.manifest.config.digest : '').toBe(manifest.config.digest);
  });

  it('an index whose other platforms are missing (Docker 25+ containerd store): the image manifest.json names is pushed', async () => {
    await writeImageLayout(join(work, 'src3'), 'm3', ['amd64', 'arm64'], 8_000);
    await client.images.push(join(work, 'src3'), `${reg.host}/base/multi:m3`);
    const all = await exportEntries(`${reg.host}/base/multi:m3`, 'oci-archive', true);
    const amd = await client.manifests.getForPlatform(`${reg.host}/base/multi:m3`, 'linux/amd64');
    const arm = await client.manifests.getForPlatform(`${reg.host}/base/multi:m3`, 'linux/arm64');
    if (amd.kind !== 'image' || arm.kind !== 'image') throw new Error('not images');
    const armOnly = new Set([arm.digest, arm.manifest.config.digest, ...arm.manifest.layers.map((l) => l.digest)].map((d) => `blobs/sha256/${d.slice(7)}`));
    const partial = all.filter((e) => !armOnly.has(e.name));
    expect(await refused(await build(partial))).toMatchObject({ problem: 'missing' });
    const withManifest: Entry[] = [...partial, { name: 'manifest.json', type: 'file', data: Buffer.from(JSON.stringify([{
      Config: `blobs/sha256/${amd.manifest.config.digest.slice(7)}`, RepoTags: ['example/multi:m3'],
      Layers: amd.manifest.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
    }])) }];
    const result = await client.images.import(await build(withManifest), `${reg.host}/forms/containerd:m3`, { tempDir: spool });
    expect(result).toMatchObject({ format: 'oci-archive', digest: amd.digest, manifests: 1 });
  });

  it('several images in one archive: --image picks one, none given lists them', async () => {
    const images = [...(json(named(dockerArchive, 'manifest.json')) as unknown[]), ...(json(named(second, 'manifest.json')) as unknown[])];
    const entries: Entry[] = [
      { name: 'manifest.json', type: 'file', data: Buffer.from(JSON.stringify(images)) },
      ...[...dockerArchive, ...second].filter((e) => e.name !== 'manifest.json' && e.name !== 'repositories'),
    ];
    const archive = await build(entries);
    const picked = await client.images.import(archive, `${reg.host}/forms/multi:two`, { image: `${reg.host}/base/other:h2`, tempDir: spool });
    const expected = await client.manifests.get(`${reg.host}/base/other:h2`);
    const pushed = await client.manifests.get(`${reg.host}/forms/multi:two`);
    expect(picked.format).toBe('docker-archive');
    expect(pushed.kind === 'image' && expected.kind === 'image' ? pushed.manifest.config.digest : 'x').toBe(expected.kind === 'image' ? expected.manifest.config.digest : 'y');
    const err = await refused(archive);
    expect((err as Error).message).toMatch(/holds 2 images; choose one with --image .*base\/app:h1.*base\/other:h2/);
  });

  it('a layer stored once and listed again through a symbolic link, as docker save does for shared layers', async () => {
    const manifestJson = json(named(dockerArchive, 'manifest.json')) as { Layers: string[] }[];
    const first = manifestJson[0];
    if (first === undefined) throw new Error('no image');
    const [layerA] = first.Layers;
    const linked = `linked/layer.tar`;
    first.Layers = [linked, ...first.Layers.slice(1)];
    const entries: Entry[] = [
      ...dockerArchive.filter((e) => e.name !== 'manifest.json'),
      { name: 'linked', type: 'directory' },
      { name: linked, type: 'symlink', linkname: `../${layerA ?? ''}` },
      { name: 'manifest.json', type: 'file', data: Buffer.from(JSON.stringify(manifestJson)) },
    ];
    const result = await client.images.import(await build(entries), `${reg.host}/forms/linked:l1`, { tempDir: spool });
    expect(result.blobsTransferred + result.blobsSkipped).toBe(3);
  });
});

describe('progress and cancellation', () => {
  it('reports each blob of an import, and an aborted import fails with AbortedError, pushing nothing', async () => {
    const archive = await build(dockerArchive);
    const seen: string[] = [];
    await client.images.import(archive, `${reg.host}/progress/app:p1`, { tempDir: spool, onBlob: (b) => seen.push(`${b.state} ${b.digest}`) });
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s.startsWith('transferred sha256:'))).toBe(true);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    expect(await refused(archive, { signal: controller.signal })).toBeInstanceOf(AbortedError);
  });

  it('an export aborted after its first blob fails with AbortedError and leaves the output not ended', async () => {
    const controller = new AbortController();
    const parts: Buffer[] = [];
    const sink = new Writable({ write(chunk: Buffer, _e, done) { parts.push(chunk); done(); } });
    const err = await client.images
      .export(`${reg.host}/base/app:h1`, sink, { signal: controller.signal, onBlob: () => { controller.abort(new Error('enough')); } })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(sink.writableEnded).toBe(false);
    // What was written is a cut archive: reading it fails as truncated.
    const read = await readTar([Buffer.concat(parts)], {}, () => undefined).then(() => undefined, (e: unknown) => e);
    expect(read).toMatchObject({ problem: 'truncated' });
  });
});

describe('options', () => {
  it('compress gzips the uncompressed layers of a docker save archive: new layer digests, same config', async () => {
    // docker save writes layers uncompressed: decompress the exported ones.
    const entries = dockerArchive.map((e) => (e.name.endsWith('/layer.tar') && e.data !== undefined ? { ...e, data: gunzipSync(e.data) } : e));
    const plain = await client.images.import(await build(entries), `${reg.host}/options/plain:p`, { tempDir: spool });
    const gz = await client.images.import(await build(entries), `${reg.host}/options/gz:g`, { tempDir: spool, compress: true });
    const [a, b] = await Promise.all([client.manifests.get(`${reg.host}/options/plain:p`), client.manifests.get(`${reg.host}/options/gz:g`)]);
    if (a.kind !== 'image' || b.kind !== 'image') throw new Error('not images');
    expect(a.digest).toBe(plain.digest);
    expect(b.digest).toBe(gz.digest);
    expect(b.manifest.config.digest).toBe(a.manifest.config.digest);
    expect(a.manifest.layers.map((l) => l.mediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar', 'application/vnd.oci.image.layer.v1.tar']);
    expect(b.manifest.layers.map((l) => l.mediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+gzip']);
    expect(b.manifest.layers.map((l) => l.digest)).not.toEqual(a.manifest.layers.map((l) => l.digest));
    expect(readdirSync(spool)).toEqual([]);
  });

  it('refuses options that do not fit the archive or format, before any request', async () => {
    expect(await refused(await build(ociArchive), { compress: true })).toBeInstanceOf(ValidationError);
    const sink = (): Writable => new Writable({ write(_c, _e, done) { done(); } });
    const ref = `${reg.host}/base/app:h1`;
    await expect(client.images.export(ref, sink(), { format: 'docker-archive', allPlatforms: true })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.images.export(ref, sink(), { format: 'docker-archive', platforms: ['linux/amd64', 'linux/arm64'] })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.images.export(ref, sink(), { format: 'oci-archive', allPlatforms: true, platforms: ['linux/amd64'] })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.images.export(ref, sink(), { format: 'zip' as 'oci-archive' })).rejects.toThrow('unknown archive format zip');
    // A digest reference must be the archive's image.
    const other = `sha256:${'1'.repeat(64)}`;
    const err = await client.images.import(await build(ociArchive), `${reg.host}/options/bydigest@${other}`, { tempDir: spool }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(await client.blobs.exists(`${reg.host}/options/bydigest`, digests[0] ?? '')).toBe(false);
  });
});
