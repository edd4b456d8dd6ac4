import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CassetteInvalidError } from '@llmdevops/docker-hub-core';
import { z } from 'zod';

/** A recorded response body: inline text or base64, or a blob stored by digest beside the cassette. @public */
export type CassetteBody =
  { readonly encoding: 'utf8' | 'base64'; readonly data: string } | { readonly blobDigest: string };

/** One recorded interaction (style C13's format). @public */
export interface CassetteEntry {
  readonly id: string;
  /** Index among identical requests (retries and polling replay in order). */
  readonly order: number;
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly bodySha256: string;
    readonly bodySize: number;
  };
  readonly response: {
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: CassetteBody;
  };
  readonly recordedAt: string;
}

/** A cassette file. @public */
export interface CassetteFile {
  readonly schemaVersion: 1;
  readonly recordedWith: string;
  readonly entries: readonly CassetteEntry[];
}

const EntrySchema = z
  .object({
    id: z.string(),
    order: z.number().int().nonnegative(),
    request: z.object({
      method: z.string(),
      url: z.string(),
      headers: z.record(z.string(), z.string()),
      bodySha256: z.string(),
      bodySize: z.number().int().nonnegative(),
    }),
    response: z.object({
      status: z.number().int(),
      headers: z.record(z.string(), z.string()),
      body: z.union([
        z.object({ encoding: z.enum(['utf8', 'base64']), data: z.string() }),
        z.object({ blobDigest: z.string().regex(/^sha256:[a-f0-9]{64}$/) }),
      ]),
    }),
    recordedAt: z.string(),
  })
  .strict();

const FileSchema = z
  .object({ schemaVersion: z.literal(1), recordedWith: z.string(), entries: z.array(EntrySchema) })
  .strict();

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * The folder holding large bodies of a cassette (`<file>.blobs/sha256/<hex>`).
 * @param path - the cassette file
 * @returns the folder
 * @internal
 */
export function blobFolder(path: string): string {
  return `${path}.blobs`;
}

/**
 * Reads and validates a cassette.
 * @param path - the file
 * @returns the cassette, or an empty one when the file does not exist
 * @throws {@link @llmdevops/docker-hub-core!CassetteInvalidError | CassetteInvalidError} when the file is not valid JSON or not the schema
 * @internal
 */
export async function loadCassette(path: string): Promise<CassetteFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { schemaVersion: 1, recordedWith: 'docker-hub-simulation', entries: [] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CassetteInvalidError(`cassette ${path} is not valid JSON`, { cause });
  }
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where =
      issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
    throw new CassetteInvalidError(`cassette ${path} does not match the cassette schema${where}`);
  }
  return parsed.data;
}

/**
 * Writes a cassette atomically with stable key order (diffs stay small).
 * @param path - the file
 * @param file - the cassette
 * @internal
 */
export async function saveCassette(path: string, file: CassetteFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${String(process.pid)}.tmp`;
  await writeFile(tmp, `${JSON.stringify(stable(file), null, 2)}\n`);
  await rename(tmp, path);
}

/**
 * Reads a body stored by digest beside the cassette.
 * @param path - the cassette file
 * @param digest - `sha256:<hex>`
 * @returns the bytes
 * @internal
 */
export function readCassetteBlob(path: string, digest: string): Promise<Buffer> {
  return readFile(join(blobFolder(path), 'sha256', digest.slice(7)));
}
