import { Digest } from '../digest/digest.js';
import { type Descriptor, type Manifest } from './schemas.js';
import { parseManifest, type ParsedManifest } from './parse-manifest.js';

/**
 * Serializes a new manifest to bytes (compact JSON, UTF-8) and checks that the bytes parse back
 * as a valid manifest of the type they declare. This is the only place the toolkit produces
 * manifest JSON: manifests read from a registry keep their original bytes.
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
  return parseManifest(new TextEncoder().encode(JSON.stringify(manifest)));
}

/**
 * A descriptor for some content: its media type, digest and size.
 * @param bytes - the exact content
 * @param mediaType - its media type
 * @param extras - optional fields such as `annotations`, `platform` or `artifactType`
 * @returns the descriptor
 * @public
 */
export function createDescriptor(
  bytes: Uint8Array,
  mediaType: string,
  extras: Partial<Omit<Descriptor, 'mediaType' | 'digest' | 'size'>> = {},
): Descriptor {
  return {
    ...extras,
    mediaType,
    digest: Digest.fromBytes(bytes).toString(),
    size: bytes.byteLength,
  };
}
