import { type z } from 'zod';
import { Digest } from '../digest/digest.js';
import { ManifestInvalidError, PayloadTooLargeError } from '../errors/validation-errors.js';
import {
  MediaType,
  isManifestMediaType,
  normalizeMediaType,
  type ImageManifestMediaType,
  type IndexMediaType,
  type ManifestMediaType,
} from '../media-type/media-type.js';
import {
  DockerManifestListSchema,
  DockerManifestSchema,
  OciIndexSchema,
  OciManifestSchema,
  type ImageIndex,
  type ImageManifest,
} from './schemas.js';

/** Largest manifest accepted (4 MiB), the limit registries apply too. @public */
export const MANIFEST_MAX_BYTES: number = 4 * 1024 * 1024;

/** Fields every parsed manifest has. @public */
interface ParsedCommon {
  /** The exact bytes given (never re-serialized). */
  readonly bytes: Uint8Array;
  /** Digest over {@link ParsedCommon.bytes}: the manifest's identity. */
  readonly digest: Digest;
}

/** A parsed single-platform image manifest. @public */
export interface ParsedImageManifest extends ParsedCommon {
  readonly kind: 'image';
  readonly mediaType: ImageManifestMediaType;
  readonly manifest: ImageManifest;
}

/** A parsed index (OCI image index or Docker manifest list). @public */
export interface ParsedImageIndex extends ParsedCommon {
  readonly kind: 'index';
  readonly mediaType: IndexMediaType;
  readonly manifest: ImageIndex;
}

/** What {@link parseManifest} returns; narrow on `kind`. @public */
export type ParsedManifest = ParsedImageManifest | ParsedImageIndex;

/** Content types that say nothing about which manifest a body is. */
const GENERIC_TYPES = new Set(['', 'application/json', 'application/octet-stream', 'text/plain']);

const SCHEMAS: Record<ManifestMediaType, z.ZodType> = {
  [MediaType.DockerManifest]: DockerManifestSchema,
  [MediaType.DockerManifestList]: DockerManifestListSchema,
  [MediaType.OciManifest]: OciManifestSchema,
  [MediaType.OciIndex]: OciIndexSchema,
};

/**
 * Parses and validates manifest bytes, keeping the exact bytes and their digest. The result
 * holds `bytes` itself (no copy) and computes `digest` from it on first read, so the caller must
 * not change those bytes afterwards.
 * The declared `contentType` (from the response or the descriptor) must agree with the
 * document's own `mediaType`, or with its shape when it has none; a generic type
 * (`application/json`, `application/octet-stream`) or none falls back to the document.
 * @param bytes - the manifest exactly as received
 * @param contentType - the declared media type, if any (parameters are ignored)
 * @returns the manifest, its media type and kind, the bytes and their digest
 * @throws {@link PayloadTooLargeError} when over {@link MANIFEST_MAX_BYTES}, before parsing
 * @throws {@link ManifestInvalidError} for invalid UTF-8 or JSON, a schema failure (naming the
 *   JSON path), an unsupported type (including deprecated schema 1), or a contradiction between
 *   the declared type and the document
 * @example
 * ```ts
 * const parsed = parseManifest(body, response.headers['content-type']);
 * if (parsed.kind === 'index') selectManifest(parsed.manifest, Platform.linuxAmd64());
 * ```
 * @public
 */
export function parseManifest(bytes: Uint8Array, contentType?: string): ParsedManifest {
  if (bytes.byteLength > MANIFEST_MAX_BYTES)
    throw new PayloadTooLargeError('manifest', MANIFEST_MAX_BYTES);
  const document = decode(bytes);
  const mediaType = resolveMediaType(document, contentType);
  const result = SCHEMAS[mediaType].safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue === undefined ? '' : issue.path.map(String).join('.');
    const where = path === '' ? 'manifest' : `manifest field ${path}`;
    throw new ManifestInvalidError(`${where}: ${issue?.message ?? 'invalid'} (${mediaType})`, {
      path,
      cause: result.error,
    });
  }
  // The schemas only check (no defaults or transforms), so the document itself is returned: it
  // keeps the key order of the bytes, where zod's output would reorder keys. The digest is
  // computed on first read (callers that verified the bytes against a digest often never ask).
  const isIndex = mediaType === MediaType.OciIndex || mediaType === MediaType.DockerManifestList;
  let digest: Digest | undefined;
  const digestOf = (): Digest => (digest ??= Digest.fromBytes(bytes));
  return isIndex
    ? { kind: 'index', mediaType, manifest: document as ImageIndex, bytes, get digest() { return digestOf(); } }
    : { kind: 'image', mediaType, manifest: document as ImageManifest, bytes, get digest() { return digestOf(); } };
}

function decode(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw new ManifestInvalidError('manifest is not valid UTF-8', { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ManifestInvalidError(`manifest is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ManifestInvalidError('manifest must be a JSON object', { path: '' });
  }
  return value as Record<string, unknown>;
}

/** Decides which manifest type a document is, refusing contradictions. */
function resolveMediaType(
  document: Record<string, unknown>,
  contentType: string | undefined,
): ManifestMediaType {
  const declared = contentType === undefined ? '' : normalizeMediaType(contentType);
  const own = document['mediaType'];
  if (own !== undefined && typeof own !== 'string') {
    throw new ManifestInvalidError('manifest field mediaType: must be a string', {
      path: 'mediaType',
    });
  }
  if (document['schemaVersion'] === 1 || isSchema1(declared) || isSchema1(own)) {
    throw new ManifestInvalidError('Docker schema 1 manifests are deprecated and not supported');
  }
  const shape = shapeOf(document);
  if (!GENERIC_TYPES.has(declared)) {
    if (!isSupported(declared)) {
      throw new ManifestInvalidError(`content type "${declared}" is not a manifest media type`);
    }
    if (own !== undefined && own !== declared) {
      throw new ManifestInvalidError(
        `declared content type "${declared}" contradicts the document's mediaType "${own}"`,
        { path: 'mediaType' },
      );
    }
    if (shape !== undefined && shape !== kindOf(declared)) {
      throw new ManifestInvalidError(
        `declared content type "${declared}" does not match a document shaped like an ${shape}`,
      );
    }
    return declared;
  }
  if (own !== undefined) {
    if (!isSupported(own))
      throw new ManifestInvalidError(`unsupported manifest mediaType "${own}"`, {
        path: 'mediaType',
      });
    return own;
  }
  if (shape === undefined) {
    throw new ManifestInvalidError(
      'cannot tell the manifest type: no mediaType, and neither "manifests" nor "config"',
    );
  }
  return shape === 'index' ? MediaType.OciIndex : MediaType.OciManifest;
}

function isSupported(type: string): type is ManifestMediaType {
  return Object.hasOwn(SCHEMAS, type);
}

function isSchema1(type: unknown): boolean {
  return type === MediaType.DockerSchema1Manifest || type === MediaType.DockerSchema1SignedManifest;
}

function kindOf(type: ManifestMediaType): 'image' | 'index' {
  return type === MediaType.OciIndex || type === MediaType.DockerManifestList ? 'index' : 'image';
}

/** `index` when the document has `manifests`, `image` when it has `config`, else undefined. */
function shapeOf(document: Record<string, unknown>): 'image' | 'index' | undefined {
  const hasManifests = 'manifests' in document;
  const hasConfig = 'config' in document || 'layers' in document;
  if (hasManifests && hasConfig) {
    throw new ManifestInvalidError(
      'manifest has both "manifests" and "config"/"layers"; it is ambiguous',
    );
  }
  if (hasManifests) return 'index';
  return hasConfig ? 'image' : undefined;
}

/**
 * Whether {@link parseManifest} could accept a body declared with this content type, so callers
 * can refuse a response before downloading its body.
 * @param contentType - a `Content-Type` value
 * @returns true when {@link parseManifest} could accept a body declared with it
 * @public
 */
export function isParsableManifestType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const type = normalizeMediaType(contentType);
  return GENERIC_TYPES.has(type) || (isManifestMediaType(type) && !isSchema1(type));
}
