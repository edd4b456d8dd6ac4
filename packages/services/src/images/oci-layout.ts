import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Digest, ValidationError, type Descriptor } from '@llmdevops/docker-hub-core';

/** The annotation naming an image in an OCI layout's `index.json`. @public */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** The `index.json` of an OCI image layout. @internal */
export interface LayoutIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  [key: string]: unknown;
}

/**
 * Path of a blob in a layout (`blobs/<alg>/<hex>`).
 * @param dir - layout directory
 * @param digest - blob digest (validated, so it cannot escape the directory)
 * @returns the file path
 * @internal
 */
export function blobPath(dir: string, digest: string): string {
  const d = Digest.parse(digest);
  return join(dir, 'blobs', d.algorithm, d.encoded);
}

/**
 * A temporary name next to `path` (same directory, so the final rename is atomic).
 * @param path - the final path
 * @returns a unique hidden temporary path
 * @internal
 */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${randomBytes(6).toString('hex')}`;
}

/**
 * Writes a file by writing a temporary file and renaming it.
 * @param path - the final path
 * @param data - the content
 * @param signal - cancels
 * @internal
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, signal?: AbortSignal): Promise<void> {
  const tmp = tempPathFor(path);
  await writeFile(tmp, data, { flag: 'wx', ...(signal === undefined ? {} : { signal }) });
  await rename(tmp, path);
}

/**
 * Reads a layout's `index.json`.
 * @param dir - layout directory
 * @param signal - cancels
 * @returns the index, or undefined when the file does not exist
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when it is not an image index
 * @internal
 */
export async function readLayoutIndex(dir: string, signal?: AbortSignal): Promise<LayoutIndex | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, 'index.json'), { encoding: 'utf8', ...(signal === undefined ? {} : { signal }) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<LayoutIndex>;
  if (parsed.schemaVersion !== 2 || !Array.isArray(parsed.manifests)) {
    throw new ValidationError('INVALID_ARGUMENT', `${join(dir, 'index.json')} is not an OCI image index`, dir);
  }
  return parsed as LayoutIndex;
}

/**
 * The `index.json` entry for a name (`org.opencontainers.image.ref.name`), or the only entry.
 * @param index - the layout index
 * @param name - the wanted name, if any
 * @param dir - for the error message
 * @returns the descriptor
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} naming the names available when none matches
 * @internal
 */
export function findLayoutEntry(index: LayoutIndex, name: string | undefined, dir: string): Descriptor {
  const named = name === undefined ? undefined : index.manifests.find((m) => m.annotations?.[REF_NAME_ANNOTATION] === name);
  if (named !== undefined) return named;
  const only = index.manifests.length === 1 ? index.manifests[0] : undefined;
  if (only !== undefined && (name === undefined || only.annotations?.[REF_NAME_ANNOTATION] === undefined)) return only;
  const names = index.manifests.map((m) => m.annotations?.[REF_NAME_ANNOTATION] ?? m.digest);
  throw new ValidationError('INVALID_ARGUMENT', `no image named "${name ?? ''}" in ${dir}; available: ${names.join(', ') || 'none'}`, name ?? '');
}
