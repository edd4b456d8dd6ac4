import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  ConfigError,
  MediaType,
  Platform,
  createDescriptor,
  type ConfigIssue,
  type Descriptor,
} from '@llmdevops/docker-hub-core';
import { fitsUstar, writeTar } from './tar.js';

/** A platform as the OCI image spec writes it in descriptors and configs. @public */
export interface OciPlatform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
}

/** One layer of {@link buildImage}: given files, random files, or both. @public */
export interface LayerSpec {
  /** Files by relative path (`/`-separated, no `..`), as text (UTF-8) or bytes. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** `count` files `random-<n>.bin` of `size` bytes each (reproducible with `seed`). */
  readonly random?: { readonly count: number; readonly size: number };
}

/** Options of {@link buildImage}. @public */
export interface BuildImageOptions {
  /** Platforms, as `os/arch[/variant]` text, `Platform`s or OCI objects (default `['linux/amd64']`). */
  readonly platforms?: readonly (string | Platform | OciPlatform)[];
  /** The layers of every platform's image (default one layer with one random 1 KiB file). */
  readonly layers?: readonly LayerSpec[];
  /** Fields merged into every config (e.g. `{ config: { Env: ['A=1'] } }`); `rootfs` and the platform fields are always set by the builder. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Annotations of every manifest and of the index. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Whether the top is an OCI index (default: with more than one platform). */
  readonly index?: boolean;
  /** Makes random contents reproducible: the same seed and options build the same digests. */
  readonly seed?: string;
}

/** One platform's image of a {@link BuiltImage}. @public */
export interface BuiltManifest {
  readonly platform: OciPlatform;
  readonly digest: string;
  readonly bytes: Uint8Array;
  readonly config: string;
  /** Compressed digest, uncompressed `diffId` and compressed size of each layer. */
  readonly layers: readonly {
    readonly digest: string;
    readonly diffId: string;
    readonly size: number;
  }[];
}

/** What {@link BuiltImage.push} needs: a `DockerHubClient` fits. @public */
export interface ImagePushTarget {
  readonly blobs: { upload(reference: string, data: Uint8Array): Promise<string> };
  readonly manifests: {
    put(
      reference: string,
      manifest: Uint8Array,
      options?: { readonly mediaType?: string },
    ): Promise<string>;
  };
}

/** A built image: every byte in memory, ready to write or push. @public */
export interface BuiltImage {
  /** Digest of the top manifest (the index, or the only manifest). */
  readonly digest: string;
  /** Media type of the top manifest. */
  readonly mediaType: string;
  /** Bytes of the top manifest. */
  readonly bytes: Uint8Array;
  /** One image manifest per platform, in the order given. */
  readonly manifests: readonly BuiltManifest[];
  /** Every config and layer blob by digest. */
  readonly blobs: ReadonlyMap<string, Uint8Array>;
  /**
   * Writes an OCI image layout to `dir` (created; `index.json` replaced) with the image under `tag`.
   * @param dir - the layout folder
   * @param tag - the `org.opencontainers.image.ref.name` (default `latest`)
   */
  writeOciLayout(dir: string, tag?: string): Promise<void>;
  /**
   * Pushes blobs, then platform manifests by digest, then the top manifest by `reference`.
   * @param target - a client (e.g. `DockerHubClient`)
   * @param reference - `repository:tag` (or `registry/repository:tag`)
   * @returns the top manifest's digest as the registry answered
   */
  push(target: ImagePushTarget, reference: string): Promise<string>;
}

const KEYS = ['platforms', 'layers', 'config', 'annotations', 'index', 'seed'];
const RESERVED_CONFIG = ['rootfs', 'architecture', 'os', 'variant', 'os.version', 'os.features'];
/** Largest random content per image: keeps a typo from filling memory. */
const MAX_RANDOM_BYTES = 256 * 1024 * 1024;

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toPlatform(value: unknown, where: string, issues: ConfigIssue[]): Platform | undefined {
  try {
    // One conversion for every form: the one core uses for descriptors (validated, OCI object).
    if (
      value instanceof Platform ||
      typeof value === 'string' ||
      (isRecord(value) &&
        typeof value['os'] === 'string' &&
        typeof value['architecture'] === 'string')
    )
      return corePlatform(value as Platform | string | OciPlatform);
  } catch (err) {
    issues.push({ path: where, message: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
  issues.push({
    path: where,
    message: 'must be os/arch[/variant] text, a Platform or { os, architecture }',
  });
  return undefined;
}

/** Any accepted form as core's `Platform` (validated), which writes the OCI object into descriptors. */
function corePlatform(p: Platform | string | OciPlatform): Platform {
  if (p instanceof Platform) return p;
  if (typeof p === 'string') return Platform.parse(p);
  const features = p['os.features'];
  return Platform.fromObject({
    ...p,
    'os.features': features === undefined ? undefined : [...features],
  });
}

function checkLayers(value: unknown, issues: ConfigIssue[]): number {
  if (value === undefined) return 1024;
  if (!Array.isArray(value) || value.length === 0) {
    issues.push({ path: 'layers', message: 'must be a non-empty array of { files?, random? }' });
    return 0;
  }
  let randomBytes = 0;
  for (const [i, layer] of (value as unknown[]).entries()) {
    const where = `layers[${String(i)}]`;
    if (!isRecord(layer) || (layer['files'] === undefined && layer['random'] === undefined)) {
      issues.push({ path: where, message: 'must be { files?, random? } with at least one' });
      continue;
    }
    for (const k of Object.keys(layer))
      if (k !== 'files' && k !== 'random')
        issues.push({ path: `${where}.${k}`, message: 'unknown option; valid: files, random' });
    const files = layer['files'];
    if (files !== undefined && !isRecord(files))
      issues.push({ path: `${where}.files`, message: 'must map relative paths to text or bytes' });
    for (const [path, content] of Object.entries(isRecord(files) ? files : {})) {
      const parts = path.split('/');
      if (
        path === '' ||
        path.startsWith('/') ||
        parts.some((p) => p === '' || p === '.' || p === '..') ||
        !fitsUstar(path)
      )
        issues.push({
          path: `${where}.files["${path}"]`,
          message: 'must be a relative path without empty, "." or ".." parts (at most 255 bytes)',
        });
      if (typeof content !== 'string' && !(content instanceof Uint8Array))
        issues.push({ path: `${where}.files["${path}"]`, message: 'must be text or a Uint8Array' });
    }
    const random = layer['random'];
    if (random === undefined) continue;
    const count = isRecord(random) ? random['count'] : undefined;
    const size = isRecord(random) ? random['size'] : undefined;
    if (
      !Number.isSafeInteger(count) ||
      !Number.isSafeInteger(size) ||
      Number(count) < 1 ||
      Number(size) < 0
    )
      issues.push({
        path: `${where}.random`,
        message: 'must be { count >= 1, size >= 0 } whole numbers',
      });
    else randomBytes += Number(count) * Number(size);
  }
  return randomBytes;
}

function checkOptions(options: unknown): Platform[] {
  const issues: ConfigIssue[] = [];
  if (!isRecord(options))
    throw new ConfigError([{ path: '', message: 'must be an object' }], {
      subject: 'buildImage options',
    });
  for (const k of Object.keys(options))
    if (!KEYS.includes(k))
      issues.push({ path: k, message: `unknown option; valid: ${KEYS.join(', ')}` });
  const given = options['platforms'] ?? ['linux/amd64'];
  const platforms: Platform[] = [];
  if (!Array.isArray(given) || given.length === 0)
    issues.push({ path: 'platforms', message: 'must be a non-empty array' });
  else
    for (const [i, p] of (given as unknown[]).entries()) {
      const platform = toPlatform(p, `platforms[${String(i)}]`, issues);
      if (platform !== undefined) platforms.push(platform);
    }
  const randomTotal = checkLayers(options['layers'], issues) * Math.max(platforms.length, 1);
  if (randomTotal > MAX_RANDOM_BYTES)
    issues.push({
      path: 'layers',
      message: `random contents total more than ${String(MAX_RANDOM_BYTES)} bytes`,
    });
  const config = options['config'];
  if (config !== undefined && !isRecord(config))
    issues.push({ path: 'config', message: 'must be an object' });
  for (const k of RESERVED_CONFIG)
    if (isRecord(config) && k in config)
      issues.push({ path: `config.${k}`, message: 'is set by the builder' });
  const annotations = options['annotations'];
  if (
    annotations !== undefined &&
    !(isRecord(annotations) && Object.values(annotations).every((v) => typeof v === 'string'))
  )
    issues.push({ path: 'annotations', message: 'must map names to strings' });
  if (options['index'] !== undefined && typeof options['index'] !== 'boolean')
    issues.push({ path: 'index', message: 'must be a boolean' });
  if (options['seed'] !== undefined && typeof options['seed'] !== 'string')
    issues.push({ path: 'seed', message: 'must be a string' });
  if (issues.length > 0) throw new ConfigError(issues, { subject: 'buildImage options' });
  return platforms;
}

/** `size` pseudo-random bytes from the seed and a label (HMAC-SHA256 in counter mode). */
function randomContent(seed: string, label: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let offset = 0, n = 0; offset < size; n += 1) {
    const block = createHmac('sha256', seed)
      .update(`${label}#${String(n)}`)
      .digest();
    offset += block.copy(out, offset);
  }
  return out;
}

function canonical(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function repositoryOf(reference: string): string {
  const at = reference.indexOf('@');
  if (at >= 0) return reference.slice(0, at);
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? reference.slice(0, colon) : reference;
}

/**
 * Builds a test image in one call: for each platform, real `tar`+gzip layers from given or random
 * files (the same files make the same bytes: fixed mtime, owner and order), a config with the
 * platform, `rootfs.diff_ids` (the uncompressed digests) and your fields, and an OCI image
 * manifest; with several platforms (or `index: true`) an OCI index over them with each
 * platform as the OCI object. Write it as an OCI layout or push it with a client.
 * @param options - platforms, layers, config fields, annotations, seed
 * @returns the image, all in memory
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} listing every bad option (unknown keys, platforms, unsafe file paths, reserved config fields)
 * @example
 * ```ts
 * const image = buildImage({ platforms: ['linux/amd64', 'linux/arm64/v8'], layers: [{ files: { 'hello.txt': 'hi' } }] });
 * await image.writeOciLayout('./layout', 'v1');
 * await image.push(client, 'registry.test/team/app:v1');
 * ```
 * @public
 */
export function buildImage(options: BuildImageOptions = {}): BuiltImage {
  const platforms = checkOptions(options);
  const seed = options.seed ?? randomBytes(16).toString('hex');
  const layers = options.layers ?? [{ random: { count: 1, size: 1024 } }];
  const blobs = new Map<string, Uint8Array>();
  // The index entries, made by core's descriptor builder (each Platform as the OCI object).
  const entries: Descriptor[] = [];
  const manifests: BuiltManifest[] = platforms.map((platform) => {
    const built = layers.map((layer, i) => {
      const files = Object.entries(layer.files ?? {}).map(([path, content]) => ({
        path,
        bytes: typeof content === 'string' ? Buffer.from(content, 'utf8') : content,
      }));
      for (let n = 0; n < (layer.random?.count ?? 0); n += 1)
        files.push({
          path: `random-${String(n)}.bin`,
          bytes: randomContent(
            seed,
            `${platform.toString()}/${String(i)}/${String(n)}`,
            layer.random?.size ?? 0,
          ),
        });
      const tar = writeTar(files);
      const gz = gzipSync(tar, { level: 6 });
      const digest = sha256(gz);
      blobs.set(digest, gz);
      return { digest, diffId: sha256(tar), size: gz.byteLength };
    });
    const configBytes = canonical({
      ...options.config,
      ...platform.toObject(),
      rootfs: { type: 'layers', diff_ids: built.map((l) => l.diffId) },
    });
    const config = sha256(configBytes);
    blobs.set(config, configBytes);
    const bytes = canonical({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: config, size: configBytes.byteLength },
      layers: built.map((l) => ({
        mediaType: MediaType.OciLayerGzip,
        digest: l.digest,
        size: l.size,
      })),
      ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
    });
    entries.push(createDescriptor(bytes, MediaType.OciManifest, { platform }));
    return {
      platform: platform.toObject() as OciPlatform,
      digest: sha256(bytes),
      bytes,
      config,
      layers: built,
    };
  });
  const asIndex = options.index ?? manifests.length > 1;
  const only = manifests[0];
  const top =
    asIndex || only === undefined
      ? canonical({
          schemaVersion: 2,
          mediaType: MediaType.OciIndex,
          manifests: entries,
          ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
        })
      : only.bytes;
  const mediaType = asIndex ? MediaType.OciIndex : MediaType.OciManifest;
  const digest = sha256(top);
  return {
    digest,
    mediaType,
    bytes: top,
    manifests,
    blobs,
    async writeOciLayout(dir, tag = 'latest') {
      const folder = join(dir, 'blobs', 'sha256');
      await mkdir(folder, { recursive: true });
      const all: [string, Uint8Array][] = [
        ...blobs,
        ...manifests.map((m): [string, Uint8Array] => [m.digest, m.bytes]),
        [digest, top],
      ];
      for (const [d, bytes] of all) await writeFile(join(folder, d.slice(7)), bytes);
      await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
      const index = {
        schemaVersion: 2,
        mediaType: MediaType.OciIndex,
        manifests: [
          {
            mediaType,
            digest,
            size: top.byteLength,
            annotations: { 'org.opencontainers.image.ref.name': tag },
          },
        ],
      };
      await writeFile(join(dir, 'index.json'), JSON.stringify(index));
    },
    async push(target, reference) {
      const repository = repositoryOf(reference);
      for (const bytes of blobs.values()) await target.blobs.upload(repository, bytes);
      if (asIndex)
        for (const m of manifests)
          await target.manifests.put(`${repository}@${m.digest}`, m.bytes, {
            mediaType: MediaType.OciManifest,
          });
      return target.manifests.put(reference, top, { mediaType });
    },
  };
}
