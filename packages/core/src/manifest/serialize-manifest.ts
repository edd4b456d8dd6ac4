import { Digest } from '../digest/digest.js';
import { ValidationError } from '../errors/validation-errors.js';
import { Platform } from '../platform/platform.js';
import { type Descriptor, type Manifest, type PlatformObject } from './schemas.js';
import { parseManifest, type ParsedManifest } from './parse-manifest.js';

/**
 * `JSON.stringify` replacer: a {@link Platform} anywhere in a manifest is written as the OCI
 * object, not as its `os/arch` string form (which registries reject).
 */
function platformObjects(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  return raw instanceof Platform ? raw.toObject() : value;
}

/**
 * Serializes a new manifest to bytes (compact JSON, UTF-8) and checks that the bytes parse back
 * as a valid manifest of the type they declare. This is the only place the toolkit produces
 * manifest JSON: manifests read from a registry keep their original bytes. A {@link Platform}
 * put in a descriptor is written as the OCI `platform` object.
 * @param manifest - the manifest object (with `mediaType` set, or an OCI shape)
 * @returns the bytes to push; their digest is `Digest.fromBytes(bytes)`
 * @throws {@link ManifestInvalidError} when the object is not a valid manifest
 * @throws {@link PayloadTooLargeError} when the JSON is over 4 MiB
 * @public
 */
export function serializeManifest(manifest: Manifest): Uint8Array {
  return buildManifest(manifest).bytes;
}

/**
 * Like {@link serializeManifest} but returns the whole parse result (bytes, digest, media type).
 * @param manifest - the manifest object
 * @returns the parsed form of the serialized bytes
 * @throws {@link ManifestInvalidError} when the object is not a valid manifest
 * @public
 */
export function buildManifest(manifest: Manifest): ParsedManifest {
  return parseManifest(new TextEncoder().encode(JSON.stringify(manifest, platformObjects)));
}

/** A descriptor's `platform` as the OCI object, validated. */
function platformObject(value: unknown): PlatformObject {
  if (value instanceof Platform) return value.toObject();
  if (typeof value === 'string') return Platform.parse(value).toObject();
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const object = value as PlatformObject;
    if (typeof object.os === 'string' && typeof object.architecture === 'string') {
      Platform.fromObject(object);
      return { ...object };
    }
  }
  throw new ValidationError(
    'INVALID_PLATFORM',
    'descriptor platform must be a Platform, os/arch[/variant] text or an { os, architecture } object',
    typeof value,
  );
}

/**
 * A descriptor for some content: its media type, digest and size. A `platform` (a
 * {@link Platform}, `os/arch[/variant]` text or an OCI object) is always stored as the OCI
 * object (`{ architecture, os, variant?, 'os.version'?, 'os.features'? }`), so the descriptor
 * serializes as registries expect.
 * @param bytes - the exact content
 * @param mediaType - its media type
 * @param extras - optional fields such as `annotations`, `platform` or `artifactType`
 * @returns the descriptor
 * @throws {@link ValidationError} with code `INVALID_PLATFORM` when `platform` is not a valid platform
 * @example
 * ```ts
 * const entry = createDescriptor(bytes, MediaType.OciManifest, { platform: Platform.parse('linux/arm64/v8') });
 * entry.platform; // { architecture: 'arm64', os: 'linux', variant: 'v8' }
 * ```
 * @public
 */
export function createDescriptor(
  bytes: Uint8Array,
  mediaType: string,
  extras: {
    readonly platform?: Platform | PlatformObject | string | undefined;
    readonly [field: string]: unknown;
  } = {},
): Descriptor {
  const fields: Record<string, unknown> = { ...extras };
  if (fields['platform'] !== undefined) fields['platform'] = platformObject(fields['platform']);
  return {
    ...fields,
    mediaType,
    digest: Digest.fromBytes(bytes).toString(),
    size: bytes.byteLength,
  };
}
