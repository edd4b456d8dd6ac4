import { createHash } from 'node:crypto';
import { AbortedError, LimitExceededError, type Descriptor } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import type { ManifestResult } from '../manifests/manifests-service.js';
import { DEFAULT_MAX_MANIFESTS, MAX_MANIFEST_DEPTH, walkManifestGraph, type LoadManifest } from './manifest-graph.js';

const INDEX = 'application/vnd.oci.image.index.v1+json' as const;
const IMAGE = 'application/vnd.oci.image.manifest.v1+json' as const;
const digestOf = (s: string): string => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const desc = (m: ManifestResult): Descriptor => ({ mediaType: m.mediaType, digest: m.digest, size: m.size });

function image(name: string, layers: string[] = [name]): ManifestResult {
  const manifest = {
    schemaVersion: 2 as const,
    mediaType: IMAGE,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(`config ${name}`), size: 2 },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digestOf(`layer ${l}`), size: 3 })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { kind: 'image', digest: digestOf(bytes.toString()), mediaType: IMAGE, bytes, size: bytes.length, manifest };
}

function index(children: ManifestResult[], note = ''): ManifestResult {
  const manifest = { schemaVersion: 2 as const, mediaType: INDEX, manifests: children.map(desc), annotations: { note } };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { kind: 'index', digest: digestOf(bytes.toString()), mediaType: INDEX, bytes, size: bytes.length, manifest };
}

/** A loader over a fixed set of manifests that counts its calls per digest. */
function store(all: ManifestResult[]): { load: LoadManifest; calls: Map<string, number> } {
  const byDigest = new Map(all.map((m) => [m.digest, m]));
  const calls = new Map<string, number>();
  const load: LoadManifest = async (d) => {
    calls.set(d.digest, (calls.get(d.digest) ?? 0) + 1);
    await new Promise((r) => setImmediate(r));
    const m = byDigest.get(d.digest);
    if (m === undefined) throw new Error(`unknown ${d.digest}`);
    return m;
  };
  return { load, calls };
}

/** An image under `levels` indexes, each listing the one below `width` times. */
function diamond(levels: number, width: number): ManifestResult[] {
  const all = [image('leaf')];
  for (let l = 1; l <= levels; l++) all.push(index(Array<ManifestResult>(width).fill(all[l - 1]!), `level ${String(l)}`));
  return all;
}

const top = (all: ManifestResult[]): ManifestResult => all[all.length - 1]!;

describe('walkManifestGraph', () => {
  it('loads each digest once however many indexes list it, children before parents', async () => {
    const all = diamond(4, 60);
    const { load, calls } = store(all);
    const graph = await walkManifestGraph(top(all), load, { what: 'r' });
    expect([...calls.values()]).toEqual([1, 1, 1, 1]);
    expect(graph.manifests.map((m) => m.digest)).toEqual(all.map((m) => m.digest));
    expect(graph.blobs).toHaveLength(2);
  });

  it('lists shared blobs once and leaves out foreign layers', async () => {
    const a = image('a', ['shared', 'a']);
    const b = image('b', ['shared', 'b']);
    const foreign = image('f');
    const withUrls: ManifestResult = foreign.kind === 'image'
      ? { ...foreign, manifest: { ...foreign.manifest, layers: foreign.manifest.layers.map((l) => ({ ...l, urls: ['https://x'] })) } }
      : foreign;
    const { load } = store([a, b, withUrls]);
    const graph = await walkManifestGraph(index([a, b, withUrls]), load, { what: 'r' });
    expect(graph.blobs.map((d) => d.digest).sort()).toEqual(
      [digestOf('config a'), digestOf('config b'), digestOf('config f'), digestOf('layer shared'), digestOf('layer a'), digestOf('layer b')].sort(),
    );
  });

  it('orders a child listed at two levels before every index listing it', async () => {
    const leaf = image('leaf');
    const mid = index([leaf], 'mid');
    const root = index([leaf, mid], 'root');
    const { load } = store([leaf, mid]);
    const graph = await walkManifestGraph(root, load, { what: 'r' });
    expect(graph.manifests.map((m) => m.digest)).toEqual([leaf.digest, mid.digest, root.digest]);
  });

  it(`accepts ${String(MAX_MANIFEST_DEPTH)} levels and refuses one more, naming maxDepth`, async () => {
    const ok = diamond(MAX_MANIFEST_DEPTH - 1, 1);
    await expect(walkManifestGraph(top(ok), store(ok).load, { what: 'r' })).resolves.toMatchObject({ manifests: ok });
    const deep = diamond(MAX_MANIFEST_DEPTH, 1);
    const { load, calls } = store(deep);
    const err = await walkManifestGraph(top(deep), load, { what: 'docker.io/a/b:1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceededError);
    expect(err).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'maxDepth', max: 8 });
    expect((err as Error).message).toContain('docker.io/a/b:1');
    // The ninth level is refused before it is loaded.
    expect(calls.has((deep[0]!).digest)).toBe(false);
  });

  it('measures depth along the longest chain, not the level a manifest was first met at', async () => {
    // root lists the chain's second manifest directly and through 7 more levels.
    const chain = diamond(MAX_MANIFEST_DEPTH - 1, 1);
    const root = index([top(chain), chain[1]!], 'root');
    await expect(walkManifestGraph(root, store(chain).load, { what: 'r' })).rejects.toMatchObject({ limit: 'maxDepth' });
  });

  it('refuses more manifests than maxManifests before loading them', async () => {
    const images = Array.from({ length: 5 }, (_, i) => image(`i${String(i)}`));
    const { load, calls } = store(images);
    await expect(walkManifestGraph(index(images), load, { what: 'r', maxManifests: 5 })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'maxManifests', max: 5 });
    expect(calls.size).toBe(0);
    await expect(walkManifestGraph(index(images), load, { what: 'r', maxManifests: 6 })).resolves.toMatchObject({ blobs: expect.any(Array) as unknown });
    expect(DEFAULT_MAX_MANIFESTS).toBe(10_000);
  });

  it('counts a digest listed many times once against maxManifests', async () => {
    const all = diamond(3, 50);
    await expect(walkManifestGraph(top(all), store(all).load, { what: 'r', maxManifests: 4 })).resolves.toMatchObject({ manifests: all });
  });

  it('rejects a maxManifests that is not a whole number of at least 1', async () => {
    const one = image('one');
    for (const maxManifests of [0, -1, 1.5, Number.NaN]) {
      await expect(walkManifestGraph(one, store([]).load, { what: 'r', maxManifests })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });

  it('stops at an abort between loads with AbortedError', async () => {
    const images = Array.from({ length: 40 }, (_, i) => image(`i${String(i)}`));
    const abort = new AbortController();
    const inner = store(images);
    const load: LoadManifest = (d, s) => {
      if (inner.calls.size === 1) abort.abort(new Error('stop'));
      return inner.load(d, s);
    };
    const err = await walkManifestGraph(index(images), load, { what: 'r', signal: abort.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as AbortedError).cause).toEqual(new Error('stop'));
    // Loads already running finish; no new one starts (4 run at a time).
    expect(inner.calls.size).toBeLessThanOrEqual(4);
    const aborted = AbortSignal.abort();
    await expect(walkManifestGraph(image('x'), inner.load, { what: 'r', signal: aborted })).rejects.toBeInstanceOf(AbortedError);
  });
});
