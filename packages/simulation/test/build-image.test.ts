// buildImage: real tar+gzip layers (GNU tar extracts them), correct diff_ids, platforms as OCI
// objects, an OCI layout skopeo copies into the simulator, the same bytes for the same seed, and
// every bad option named (the push through DockerHubClient is in packages/docker-hub/test).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { ConfigError, Platform } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, createSimulator, type BuildImageOptions } from '../src/index.js';

const run = promisify(execFile);
const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('buildImage', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'build-image-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const options: BuildImageOptions = {
    platforms: ['linux/amd64', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    layers: [
      { files: { 'etc/motd': 'hello', 'bin/tool': new Uint8Array([0, 1, 2, 255]) } },
      { random: { count: 2, size: 3000 } },
    ],
    config: { config: { Env: ['A=1'] } },
    annotations: { 'org.opencontainers.image.title': 'test' },
    seed: 'fixed',
  };

  it('builds tar+gzip layers GNU tar extracts, with diff_ids of the uncompressed tars', async () => {
    const image = buildImage(options);
    const amd = image.manifests[0];
    expect(amd?.layers).toHaveLength(2);
    const first = amd?.layers[0];
    const gz = image.blobs.get(first?.digest ?? '') ?? new Uint8Array();
    expect(sha256(gunzipSync(gz))).toBe(first?.diffId);
    await writeFile(join(work, 'layer.tar.gz'), gz);
    const listing = await run('tar', ['-tzvf', join(work, 'layer.tar.gz')]);
    expect(listing.stdout).toMatch(/^drwxr-xr-x 0\/0 .* etc\/$/m);
    expect(listing.stdout).toMatch(/^-rw-r--r-- 0\/0 +5 .* etc\/motd$/m);
    await run('tar', ['-xzf', join(work, 'layer.tar.gz'), '-C', work]);
    expect(await readFile(join(work, 'etc', 'motd'), 'utf8')).toBe('hello');
    expect([...(await readFile(join(work, 'bin', 'tool')))]).toEqual([0, 1, 2, 255]);
    const config = JSON.parse(
      Buffer.from(image.blobs.get(amd?.config ?? '') ?? []).toString('utf8'),
    ) as Record<string, unknown>;
    expect(config).toEqual({
      config: { Env: ['A=1'] },
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: amd?.layers.map((l) => l.diffId) },
    });
  });

  it('writes an index with each platform as the OCI object, and shares identical layers', () => {
    const image = buildImage(options);
    const index = JSON.parse(Buffer.from(image.bytes).toString('utf8')) as {
      mediaType: string;
      manifests: { platform: unknown }[];
      annotations: unknown;
    };
    expect(image.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(image.digest).toBe(sha256(image.bytes));
    expect(index.manifests.map((m) => m.platform)).toEqual([
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm64', os: 'linux', variant: 'v8' },
    ]);
    expect(index.annotations).toEqual({ 'org.opencontainers.image.title': 'test' });
    // The given files make the same layer on both platforms; random files differ per platform.
    const [a, b] = image.manifests;
    expect(a?.layers[0]?.digest).toBe(b?.layers[0]?.digest);
    expect(a?.layers[1]?.digest).not.toBe(b?.layers[1]?.digest);
    expect(image.blobs.size).toBe(5);
  });

  it('takes core Platforms and os.version / os.features, writing them as OCI objects in the index and configs', () => {
    const image = buildImage({
      platforms: [
        Platform.parse('linux/arm/v7'),
        {
          os: 'windows',
          architecture: 'amd64',
          'os.version': '10.0.20348.1',
          'os.features': ['win32k'],
        },
      ],
      seed: 'platform-forms',
    });
    const index = JSON.parse(Buffer.from(image.bytes).toString('utf8')) as {
      manifests: { platform: unknown }[];
    };
    const expected = [
      { architecture: 'arm', os: 'linux', variant: 'v7' },
      {
        architecture: 'amd64',
        os: 'windows',
        'os.version': '10.0.20348.1',
        'os.features': ['win32k'],
      },
    ];
    expect(index.manifests.map((m) => m.platform)).toStrictEqual(expected);
    expect(image.manifests.map((m) => m.platform)).toStrictEqual(expected);
    const windowsConfig = JSON.parse(
      Buffer.from(image.blobs.get(image.manifests[1]?.config ?? '') ?? []).toString('utf8'),
    ) as Record<string, unknown>;
    expect(windowsConfig['os.features']).toEqual(['win32k']);
    expect(windowsConfig['os.version']).toBe('10.0.20348.1');
    let caught: unknown;
    try {
      buildImage({
        platforms: [{ os: 'linux', architecture: 'amd64', 'os.features': ['bad feature'] }],
        config: { 'os.features': [] },
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const issues = (caught as ConfigError).issues;
    expect(issues.map((i) => i.path)).toEqual(['platforms[0]', 'config.os.features']);
    expect(issues[0]?.message).toContain('invalid OS feature "bad feature"');
  });

  it('builds the same bytes from the same seed, and different ones without a seed', () => {
    expect(buildImage(options).digest).toBe(buildImage(options).digest);
    const { seed, ...unseeded } = options;
    expect(seed).toBe('fixed');
    expect(buildImage(unseeded).digest).not.toBe(buildImage(unseeded).digest);
  });

  it('one platform makes a plain image manifest unless index is asked for', () => {
    const single = buildImage({ layers: [{ files: { a: 'a' } }] });
    expect(single.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(single.digest).toBe(single.manifests[0]?.digest);
    expect(buildImage({ index: true }).mediaType).toBe('application/vnd.oci.image.index.v1+json');
  });

  it('writes an OCI layout that skopeo copies into the simulator', async () => {
    const image = buildImage(options);
    const layout = join(work, 'layout');
    await image.writeOciLayout(layout, 'v1');
    const sim = createSimulator();
    try {
      const { url } = await sim.listen();
      const host = new URL(url).host;
      await run('skopeo', [
        'copy',
        '--all',
        '--quiet',
        '--preserve-digests',
        '--dest-tls-verify=false',
        `oci:${layout}:v1`,
        `docker://${host}/team/built:v1`,
      ]);
      const raw = await run('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${host}/team/built:v1`,
      ]);
      expect(sha256(Buffer.from(raw.stdout, 'utf8'))).toBe(image.digest);
    } finally {
      await sim.close();
    }
  });

  it('stores paths longer than 100 bytes in the ustar prefix, which GNU tar reads back', async () => {
    const long = `${'d'.repeat(80)}/${'e'.repeat(60)}/file.txt`;
    const image = buildImage({ layers: [{ files: { [long]: 'deep' } }], seed: 'long' });
    const gz = image.blobs.get(image.manifests[0]?.layers[0]?.digest ?? '') ?? new Uint8Array();
    await writeFile(join(work, 'long.tar.gz'), gz);
    const listing = await run('tar', ['-tzf', join(work, 'long.tar.gz')]);
    expect(listing.stdout.split('\n')).toContain(long);
    expect(() => buildImage({ layers: [{ files: { ['x'.repeat(300)]: 'y' } }] })).toThrow(
      /must be a relative path .* \(at most 255 bytes\)/,
    );
  });

  it('pushes blobs, then platform manifests by digest, then the index by tag', async () => {
    const image = buildImage(options);
    const calls: string[] = [];
    const target = {
      blobs: {
        upload: (ref: string, data: Uint8Array) => {
          calls.push(`blob ${ref} ${sha256(data)}`);
          return Promise.resolve(sha256(data));
        },
      },
      manifests: {
        put: (ref: string, bytes: Uint8Array, o?: { readonly mediaType?: string }) => {
          calls.push(`manifest ${ref} ${o?.mediaType ?? ''}`);
          return Promise.resolve(sha256(bytes));
        },
      },
    };
    expect(await image.push(target, 'registry.test:5000/team/app:v1')).toBe(image.digest);
    expect(calls.filter((c) => c.startsWith('blob registry.test:5000/team/app '))).toHaveLength(5);
    expect(calls.slice(5)).toEqual([
      `manifest registry.test:5000/team/app@${image.manifests[0]?.digest ?? ''} application/vnd.oci.image.manifest.v1+json`,
      `manifest registry.test:5000/team/app@${image.manifests[1]?.digest ?? ''} application/vnd.oci.image.manifest.v1+json`,
      'manifest registry.test:5000/team/app:v1 application/vnd.oci.image.index.v1+json',
    ]);
  });

  it('names every bad option', () => {
    let caught: unknown;
    try {
      buildImage({
        platforms: ['linux'],
        layers: [{ files: { '../escape': 'x', '/abs': 'y' } }, { random: { count: 0, size: 1 } }],
        config: { rootfs: {} },
        ...({ tag: 'v1' } as object),
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).issues.map((i) => i.path)).toEqual([
      'tag',
      'platforms[0]',
      'layers[0].files["../escape"]',
      'layers[0].files["/abs"]',
      'layers[1].random',
      'config.rootfs',
    ]);
  });
});
