import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CassetteInvalidError } from '@llmdevops/docker-hub-core';
import * as z from 'zod';

/** A recorded response body: inline text or base64, or a blob stored by digest beside the cassette. @public */
export type CassetteBody =
  { readonly encoding: 'utf8' | 'base64'; readonly data: string } | { readonly blobDigest: string };

/** One recorded interaction. @public */
export interface CassetteEntry {
  /** Derived from the request key and `order` (stable across re-recordings). */
  readonly id: string;
  /** Index among identical requests (retries and polling replay in order). */
  readonly order: number;
  /** The request as matched: redacted and normalised. */
  readonly request: {
    /** Upper case. */
    readonly method: string;
    /** Path and sorted, redacted query; no origin, so a cassette replays on any address. */
    readonly url: string;
    /** The compared headers, redacted. */
    readonly headers: Readonly<Record<string, string>>;
    /** `hmac-sha256:<hex>` of the redacted body keyed with the cassette's salt. */
    readonly bodyHash: string;
    /** Size of the hashed (redacted) body in bytes. */
    readonly bodySize: number;
  };
  /** The recorded answer, redacted. */
  readonly response: {
    readonly status: number;
    /** Redacted; `{{origin}}` stands for the origin the request was sent to. */
    readonly headers: Readonly<Record<string, string>>;
    readonly body: CassetteBody;
  };
  /** When it was recorded, only when the cassette was given a clock. */
  readonly recordedAt?: string | undefined;
}

/** A cassette file. @public */
export interface CassetteFile {
  readonly schemaVersion: 2;
  readonly recordedWith: string;
  /** The per-cassette key of request body hashes; absent only in files of schema version 1. */
  readonly salt?: string | undefined;
  readonly entries: readonly CassetteEntry[];
}

const BodySchema = z.union([
  z.object({ encoding: z.enum(['utf8', 'base64']), data: z.string() }).strict(),
  z.object({ blobDigest: z.string().regex(/^sha256:[a-f0-9]{64}$/) }).strict(),
]);

const ResponseSchema = z
  .object({
    status: z.number().int().min(100).max(599),
    headers: z.record(z.string(), z.string()),
    body: BodySchema,
  })
  .strict();

const EntrySchema = z
  .object({
    id: z.string(),
    order: z.number().int().nonnegative(),
    request: z
      .object({
        method: z.string().min(1),
        url: z.string().startsWith('/'),
        headers: z.record(z.string(), z.string()),
        bodyHash: z.string(),
        bodySize: z.number().int().nonnegative(),
      })
      .strict(),
    response: ResponseSchema,
    recordedAt: z.string().optional(),
  })
  .strict();

const FileSchema = z
  .object({
    schemaVersion: z.literal(2),
    recordedWith: z.string(),
    salt: z.string().min(16).optional(),
    entries: z.array(EntrySchema),
  })
  .strict();

const LegacyFileSchema = z
  .object({
    schemaVersion: z.literal(1),
    recordedWith: z.string(),
    entries: z.array(
      z
        .object({
          id: z.string(),
          order: z.number().int().nonnegative(),
          request: z
            .object({
              method: z.string(),
              url: z.url(),
              headers: z.record(z.string(), z.string()),
              bodySha256: z.string(),
              bodySize: z.number().int().nonnegative(),
            })
            .strict(),
          response: ResponseSchema,
          recordedAt: z.string(),
        })
        .strict(),
    ),
  })
  .strict();

/**
 * Validates one entry (e.g. what a `beforePersist` hook returned).
 * @param value - the candidate
 * @returns the first problem as `path: message`, or `undefined` when valid
 * @internal
 */
export function entryProblem(value: unknown): string | undefined {
  const parsed = EntrySchema.safeParse(value);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}

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

function schemaProblem(path: string, error: z.ZodError): CassetteInvalidError {
  const issue = error.issues[0];
  const where =
    issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
  return new CassetteInvalidError(`cassette ${path} does not match the cassette schema${where}`);
}

/**
 * Reads and validates a cassette. Files of schema version 1 (absolute URLs, unsalted body
 * digests) are read as version 2 without a salt.
 * @param path - the file
 * @returns the cassette, or `undefined` when the file does not exist
 * @throws {@link @llmdevops/docker-hub-core!CassetteInvalidError | CassetteInvalidError} when the file is not valid JSON or not the schema
 * @internal
 */
export async function loadCassette(path: string): Promise<CassetteFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CassetteInvalidError(`cassette ${path} cannot be read`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CassetteInvalidError(`cassette ${path} is not valid JSON`, { cause });
  }
  const version =
    typeof json === 'object' && json !== null && 'schemaVersion' in json
      ? json.schemaVersion
      : undefined;
  if (version === 1) {
    const legacy = LegacyFileSchema.safeParse(json);
    if (!legacy.success) throw schemaProblem(path, legacy.error);
    return {
      schemaVersion: 2,
      recordedWith: legacy.data.recordedWith,
      entries: legacy.data.entries.map((e) => {
        const u = new URL(e.request.url);
        return {
          id: e.id,
          order: e.order,
          request: {
            method: e.request.method,
            url: `${u.pathname}${u.search}`,
            headers: e.request.headers,
            bodyHash: e.request.bodySha256,
            bodySize: e.request.bodySize,
          },
          response: e.response,
        };
      }),
    };
  }
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) throw schemaProblem(path, parsed.error);
  return parsed.data;
}

/**
 * Serialises a cassette with sorted keys, two-space indentation and a final newline, so the same
 * content always gives the same bytes.
 * @param file - the cassette
 * @returns the file text
 * @internal
 */
export function serializeCassette(file: CassetteFile): string {
  return `${JSON.stringify(stable(file), null, 2)}\n`;
}

/**
 * Writes a cassette atomically, readable by its owner only (mode 0600).
 * @param path - the file
 * @param file - the cassette
 * @internal
 */
export async function saveCassette(path: string, file: CassetteFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${String(process.pid)}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, serializeCassette(file), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}
