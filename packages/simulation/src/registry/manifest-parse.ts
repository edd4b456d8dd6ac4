import { MediaType } from '@llmdevops/docker-hub-core';

/** Manifest media types the registry accepts. @internal */
export const MANIFEST_TYPES = {
  ociManifest: MediaType.OciManifest,
  ociIndex: MediaType.OciIndex,
  dockerManifest: MediaType.DockerManifest,
  dockerList: MediaType.DockerManifestList,
} as const;

const KNOWN: ReadonlySet<string> = new Set(Object.values(MANIFEST_TYPES));
const INDEX_TYPES: ReadonlySet<string> = new Set([
  MANIFEST_TYPES.ociIndex,
  MANIFEST_TYPES.dockerList,
]);

interface Descriptor {
  readonly digest: string;
  readonly size: number;
  readonly mediaType?: string;
}

/** What the registry needs from a manifest body. @internal */
export interface ParsedManifest {
  readonly mediaType: string;
  readonly isIndex: boolean;
  /** Blobs that must exist (config and layers). */
  readonly blobs: readonly string[];
  /** Manifests that must exist (index children). */
  readonly children: readonly string[];
  readonly subject?: string;
  readonly artifactType?: string;
  readonly annotations?: Record<string, string>;
  readonly contentSize: number;
  /** Platforms of index children (Hub tag `images`). */
  readonly platforms?: readonly ChildPlatform[];
}

/** One child of an index with its platform. @internal */
export interface ChildPlatform {
  readonly digest: string;
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly size: number;
}

function platformOf(v: unknown): ChildPlatform | undefined {
  const d = descriptor(v);
  if (!isRecord(v) || d === undefined || !isRecord(v['platform'])) return undefined;
  const p = v['platform'];
  if (typeof p['os'] !== 'string' || typeof p['architecture'] !== 'string') return undefined;
  return {
    digest: d.digest,
    os: p['os'],
    architecture: p['architecture'],
    size: d.size,
    ...(typeof p['variant'] === 'string' ? { variant: p['variant'] } : {}),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function descriptor(v: unknown): Descriptor | undefined {
  if (!isRecord(v) || typeof v['digest'] !== 'string') return undefined;
  return {
    digest: v['digest'],
    size: typeof v['size'] === 'number' ? v['size'] : 0,
    ...(typeof v['mediaType'] === 'string' ? { mediaType: v['mediaType'] } : {}),
  };
}

function descriptors(v: unknown): Descriptor[] | undefined {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return undefined;
  const out: Descriptor[] = [];
  for (const item of v) {
    const d = descriptor(item);
    if (d === undefined) return undefined;
    out.push(d);
  }
  return out;
}

function stringRecord(v: unknown): Record<string, string> | undefined {
  if (!isRecord(v)) return undefined;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string')) as Record<
    string,
    string
  >;
}

/**
 * Validates a manifest body against its `Content-Type` the way distribution does: a known type,
 * JSON, `schemaVersion: 2`, a `mediaType` field (when present) equal to the content type.
 * @param bytes - the exact body
 * @param contentType - the request's Content-Type (parameters ignored)
 * @returns the parsed manifest, or a reason string when invalid
 * @internal
 */
export function parseManifestBody(bytes: Uint8Array, contentType: string): ParsedManifest | string {
  const type = contentType.split(';')[0]?.trim() ?? '';
  if (!KNOWN.has(type)) return `unsupported manifest media type ${JSON.stringify(type)}`;
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return 'invalid JSON';
  }
  if (!isRecord(doc) || doc['schemaVersion'] !== 2) return 'schemaVersion must be 2';
  if (doc['mediaType'] !== undefined && doc['mediaType'] !== type) {
    return 'mediaType does not match Content-Type';
  }
  const isIndex = INDEX_TYPES.has(type);
  const config = isIndex ? undefined : descriptor(doc['config']);
  const layers = descriptors(isIndex ? [] : doc['layers']);
  const manifests = descriptors(isIndex ? doc['manifests'] : []);
  if ((!isIndex && config === undefined) || layers === undefined || manifests === undefined) {
    return 'malformed descriptors';
  }
  const subject = descriptor(doc['subject']);
  const artifactType =
    typeof doc['artifactType'] === 'string' ? doc['artifactType'] : config?.mediaType;
  const annotations = stringRecord(doc['annotations']);
  return {
    mediaType: type,
    isIndex,
    blobs: config === undefined ? [] : [config.digest, ...layers.map((l) => l.digest)],
    children: manifests.map((m) => m.digest),
    ...(subject === undefined ? {} : { subject: subject.digest }),
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(annotations === undefined ? {} : { annotations }),
    contentSize: layers.reduce((n, l) => n + l.size, 0),
    ...(isIndex && Array.isArray(doc['manifests'])
      ? { platforms: doc['manifests'].map(platformOf).filter((x) => x !== undefined) }
      : {}),
  };
}

/**
 * Whether an `Accept` header admits a media type (distribution's rule for OCI content: the type
 * must be listed explicitly; `*\/*` is not enough).
 * @param accept - the request's Accept values joined with commas
 * @param mediaType - the stored type
 * @returns true when listed
 * @internal
 */
export function acceptsExplicitly(accept: string, mediaType: string): boolean {
  return accept
    .split(',')
    .map((v) => v.split(';')[0]?.trim().toLowerCase())
    .includes(mediaType);
}
