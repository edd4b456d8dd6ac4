import {
  DescriptorSchema,
  Digest,
  MediaType,
  type Descriptor,
  type ImageReference,
} from '@llmdevops/docker-hub-core';
import { errorFromResponse } from '@llmdevops/docker-hub-transport';
import type { ClientContext } from '../client/context.js';
import { nextLink } from '../tags/link-header.js';

/** The referrers of a manifest and how they were found. @public */
export interface ReferrerList {
  /** `referrers`: the registry's referrers API; `referrers-tag`: the `<alg>-<hex>` tag fallback. */
  readonly via: 'referrers' | 'referrers-tag';
  readonly descriptors: readonly Descriptor[];
}

/** What referrer lookups need from the client context. @public */
export type RegistryContext = Pick<ClientContext, 'send' | 'expect'>;

const INDEX_LIMIT = 4 * 1024 * 1024;
const MAX_PAGES = 20;
const INDEX_ACCEPT = `${MediaType.OciIndex}, ${MediaType.DockerManifestList}`;

/**
 * The referrers tag schema of OCI distribution 1.1: `<alg>-<encoded>`, the algorithm cut to 32
 * and the encoded part to 64 characters, other characters replaced by `-`.
 * @param digest - the subject digest
 * @returns the tag, e.g. `sha256-<64 hex>`
 * @throws {@link @llmdevops/docker-hub-core!InvalidDigestError | InvalidDigestError} for a malformed digest
 * @public
 */
export function referrersTag(digest: string): string {
  const d = Digest.parse(digest);
  return `${d.algorithm.slice(0, 32)}-${d.encoded.slice(0, 64)}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

function descriptorsOf(body: unknown): Descriptor[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const manifests = (body as { manifests?: unknown }).manifests;
  if (!Array.isArray(manifests)) return undefined;
  return manifests.flatMap((m) => {
    const parsed = DescriptorSchema.safeParse(m);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * Lists the referrers of a manifest: the referrers API (`GET /v2/<name>/referrers/<digest>`,
 * following `Link` pages), or, where the registry answers 404 (no API, as distribution 2.8), the
 * image index under the referrers tag. A missing tag, or a tag that is not an index, means none.
 * @param ctx - the client context
 * @param ref - the repository
 * @param digest - the subject digest
 * @param signal - cancels the lookup
 * @returns the descriptors and how they were found
 * @throws the typed registry errors other than the 404s described
 * @public
 */
export async function listReferrers(
  ctx: RegistryContext,
  ref: ImageReference,
  digest: string,
  signal?: AbortSignal,
): Promise<ReferrerList> {
  const tag = referrersTag(digest);
  const descriptors: Descriptor[] = [];
  let path: string | URL | undefined = `referrers/${digest}`;
  for (let page = 0; path !== undefined && page < MAX_PAGES; page++) {
    const res = await ctx.send({
      method: 'GET',
      ref,
      path,
      headers: { accept: MediaType.OciIndex },
      signal,
      operation: 'referrers',
    });
    if (page === 0 && (res.status === 404 || res.status === 405)) {
      await res.dump();
      return { via: 'referrers-tag', descriptors: await fromTag(ctx, ref, tag, signal) };
    }
    if (res.status !== 200)
      throw await errorFromResponse(res, `GET referrers of ${ref.name}@${digest}`);
    descriptors.push(...(descriptorsOf(await res.json(INDEX_LIMIT)) ?? []));
    path = nextLink(res.header('link'), res.url);
  }
  return { via: 'referrers', descriptors };
}

async function fromTag(
  ctx: RegistryContext,
  ref: ImageReference,
  tag: string,
  signal: AbortSignal | undefined,
): Promise<Descriptor[]> {
  return (await readReferrersIndex(ctx, ref, tag, signal)) ?? [];
}

/**
 * Reads the referrers-tag index for an update: its descriptors, `[]` when the tag is missing, or
 * undefined when the tag holds something other than an image index (left alone, as the spec says).
 * @param ctx - the client context
 * @param ref - the repository
 * @param tag - the referrers tag
 * @param signal - cancels
 * @returns the descriptors, or undefined
 * @internal
 */
export async function readReferrersIndex(
  ctx: RegistryContext,
  ref: ImageReference,
  tag: string,
  signal?: AbortSignal,
): Promise<Descriptor[] | undefined> {
  const res = await ctx.send({
    method: 'GET',
    ref,
    path: `manifests/${tag}`,
    headers: { accept: INDEX_ACCEPT },
    signal,
    operation: 'manifests',
  });
  if (res.status === 404) {
    await res.dump();
    return [];
  }
  if (res.status !== 200)
    throw await errorFromResponse(res, `GET referrers tag ${ref.name}:${tag}`);
  const type = res.header('content-type') ?? '';
  const body: unknown = await res.json(INDEX_LIMIT).catch(() => undefined);
  const mediaType = (body as { mediaType?: unknown } | undefined)?.mediaType ?? type;
  if (typeof mediaType !== 'string' || !mediaType.includes('index')) return undefined;
  return descriptorsOf(body);
}
