import type { Readable } from 'node:stream';
import { ImageReference, type Descriptor } from '@llmdevops/docker-hub-core';
import type { ManifestResult } from '../manifests/manifests-service.js';
import { ArchiveInvalidError } from './archive-error.js';
import type { ArchiveFormat } from './types.js';

/** A blob to push: its descriptor and where its bytes are (checked against the descriptor). @internal */
export interface ImportBlob {
  readonly descriptor: Descriptor;
  readonly open: () => Readable;
}

/** Everything an import pushes, all checked before the first request. @internal */
export interface ImportPlan {
  readonly format: ArchiveFormat;
  readonly top: ManifestResult;
  /** Every manifest once, children first. */
  readonly manifests: readonly ManifestResult[];
  readonly blobs: readonly ImportBlob[];
}

/** Most bytes of `manifest.json` or `index.json` read. */
export const MAX_INDEX_BYTES = 4 * 1024 * 1024;

/**
 * Whether an archive's image name matches what the user asked for: equal text, or equal
 * references once both are parsed (`alpine:3.19` matches `docker.io/library/alpine:3.19`).
 * @param name - a name in the archive
 * @param wanted - the name asked for
 * @returns true on a match
 * @internal
 */
export function sameImageName(name: string, wanted: string): boolean {
  if (name === wanted) return true;
  const a = ImageReference.tryParse(name);
  const b = ImageReference.tryParse(wanted);
  return a !== undefined && a.toString() === b?.toString();
}

/**
 * Picks one of the archive's images: the one named `wanted`, or the only one.
 * @param candidates - each image with its names
 * @param wanted - the `--image` asked for
 * @returns the chosen image
 * @throws {@link ArchiveInvalidError} (`layout`) naming the images available when none or several match
 * @internal
 */
export function chooseImage<T>(candidates: readonly { readonly item: T; readonly names: readonly string[] }[], wanted: string | undefined): T {
  const listed = candidates.map((c, i) => (c.names.length === 0 ? `#${i + 1} (untagged)` : c.names.join(' '))).join(', ') || 'none';
  if (wanted !== undefined) {
    const match = candidates.find((c) => c.names.some((n) => sameImageName(n, wanted)));
    if (match === undefined) throw new ArchiveInvalidError('layout', `no image named ${wanted} in the archive; it holds: ${listed}`);
    return match.item;
  }
  const only = candidates.length === 1 ? candidates[0] : undefined;
  if (only === undefined) throw new ArchiveInvalidError('layout', `the archive holds ${candidates.length} images; choose one with --image (image): ${listed}`);
  return only.item;
}

/**
 * Parses a JSON file of the archive.
 * @param bytes - its content
 * @param name - its name, for messages
 * @returns the value
 * @throws {@link ArchiveInvalidError} (`layout`) when it is not JSON
 * @internal
 */
export function parseJsonFile(bytes: Uint8Array, name: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (err) {
    throw new ArchiveInvalidError('layout', `${name} is not JSON (${err instanceof Error ? err.message : String(err)})`, name);
  }
}
