import { readLimited } from '../internal/streams.js';
import { digestOf, parseDigest } from '../storage/hashing.js';
import { type RegistryCall, type RegistryContext } from './context.js';
import { emptyResponse, registryError } from './errors.js';
import { acceptsExplicitly, MANIFEST_TYPES, parseManifestBody } from './manifest-parse.js';
import { isDigestReference } from './routes.js';
import { type ManifestRecord, type RepositoryRecord } from './state.js';

function unknownManifest(name: string, reference: string): Response {
  const detail = isDigestReference(reference)
    ? { Name: name, Revision: reference }
    : { Tag: reference };
  return registryError(404, { code: 'MANIFEST_UNKNOWN', detail });
}

function resolve(repo: RepositoryRecord | undefined, reference: string): string | undefined {
  if (repo === undefined) return undefined;
  const digest = isDigestReference(reference) ? reference : repo.tags.get(reference)?.digest;
  return digest !== undefined && repo.manifests.has(digest) ? digest : undefined;
}

function acceptRefusal(record: ManifestRecord, accept: string): Response | undefined {
  // distribution 2.8: OCI content is only served when the client lists the OCI type (observed).
  if (
    record.mediaType === MANIFEST_TYPES.ociManifest &&
    !acceptsExplicitly(accept, record.mediaType)
  ) {
    return registryError(404, {
      code: 'MANIFEST_UNKNOWN',
      message: 'OCI manifest found, but accept header does not support OCI manifests',
    });
  }
  if (
    record.mediaType === MANIFEST_TYPES.ociIndex &&
    !acceptsExplicitly(accept, record.mediaType)
  ) {
    return registryError(404, {
      code: 'MANIFEST_UNKNOWN',
      message: 'OCI index found, but accept header does not support OCI indexes',
    });
  }
  return undefined;
}

/**
 * GET and HEAD of a manifest by tag or digest.
 * @param ctx - registry context
 * @param call - the request
 * @param target - repository name and reference
 * @returns the manifest, 304, or 404 MANIFEST_UNKNOWN
 * @internal
 */
export async function getManifest(
  ctx: RegistryContext,
  call: RegistryCall,
  target: { name: string; reference: string },
): Promise<Response> {
  const head = call.request.method === 'HEAD';
  if (
    ctx.rules.malformedDigestReference === 'unknown-500' &&
    isDigestReference(target.reference) &&
    parseDigest(target.reference) === undefined
  ) {
    if (head) return emptyResponse(500);
    const Path = `/docker/registry/v2/repositories/${target.name}/_manifests/tags/${target.reference}/current/link`;
    return registryError(500, { code: 'UNKNOWN', detail: { Path, DriverName: 'filesystem' } });
  }
  const repo = ctx.state.repos.get(target.name);
  const digest = resolve(repo, target.reference);
  const record = digest === undefined ? undefined : repo?.manifests.get(digest);
  if (digest === undefined || record === undefined || repo === undefined) {
    return head ? emptyResponse(404) : unknownManifest(target.name, target.reference);
  }
  if (ctx.rules.ociAcceptRequired) {
    const refusal = acceptRefusal(record, call.request.headers.get('accept') ?? '');
    if (refusal !== undefined) return head ? emptyResponse(404) : refusal;
  }
  const headers = {
    'content-type': record.mediaType,
    'content-length': String(record.size),
    'docker-content-digest': digest,
    etag: `"${digest}"`,
  };
  if (call.request.headers.get('if-none-match') === `"${digest}"`) {
    return emptyResponse(304, { 'docker-content-digest': digest, etag: `"${digest}"` });
  }
  if (head) return emptyResponse(200, headers);
  repo.pullCount += 1;
  // Hub `last_pulled` (tag and image): a GET counts as a pull, a HEAD does not (as on Docker Hub).
  repo.lastPulled.set(digest, ctx.now());
  if (target.reference !== digest) repo.lastPulled.set(target.reference, ctx.now());
  const bytes = await ctx.store.readAll(digest);
  return new Response(bytes, {
    status: 200,
    headers: { ...headers, 'docker-distribution-api-version': 'registry/2.0' },
  });
}

async function missingReferences(
  repo: RepositoryRecord | undefined,
  blobs: readonly string[],
  children: readonly string[],
): Promise<string[]> {
  const missing = blobs.filter((d) => repo?.blobs.has(d) !== true);
  missing.push(...children.filter((d) => repo?.manifests.has(d) !== true));
  return Promise.resolve([...new Set(missing)]);
}

/**
 * PUT of a manifest: exact bytes stored, references checked, tag set, `OCI-Subject` when the
 * referrers API is on.
 * @param ctx - registry context
 * @param call - the request
 * @param target - repository name and reference
 * @returns 201 with `Docker-Content-Digest`, or a registry error
 * @internal
 */
export async function putManifest(
  ctx: RegistryContext,
  call: RegistryCall,
  target: { name: string; reference: string },
): Promise<Response> {
  const bytes = await readLimited(call.request.body, ctx.maxManifestBytes);
  if (bytes === undefined) {
    return ctx.rules.manifestTooLarge === 'payload-too-large-413'
      ? registryError(
          413,
          {
            code: 'MANIFEST_INVALID',
            message: 'manifest too large',
            detail: { limit: ctx.maxManifestBytes },
          },
          { connection: 'close' },
        )
      : registryError(
          400,
          { code: 'MANIFEST_INVALID', detail: 'http: request body too large' },
          { connection: 'close' },
        );
  }
  const parsed = parseManifestBody(bytes, call.request.headers.get('content-type') ?? '');
  if (parsed === 'schemaVersion must be 2' && ctx.rules.badSchemaVersion === 'unknown-500') {
    return registryError(500, { code: 'UNKNOWN', detail: {} });
  }
  if (typeof parsed === 'string') {
    return registryError(400, { code: 'MANIFEST_INVALID', detail: {} });
  }
  const byDigest = isDigestReference(target.reference);
  const algorithm = byDigest ? parseDigest(target.reference)?.algorithm : 'sha256';
  if (algorithm === undefined) return registryError(400, { code: 'DIGEST_INVALID' });
  const digest = digestOf(bytes, algorithm);
  if (byDigest && digest !== target.reference)
    return registryError(400, { code: 'DIGEST_INVALID' });
  const missing = await missingReferences(
    ctx.state.repos.get(target.name),
    parsed.blobs,
    parsed.children,
  );
  if (missing.length > 0) {
    return registryError(
      400,
      missing.map((d) => ({ code: 'MANIFEST_BLOB_UNKNOWN' as const, detail: d })),
    );
  }
  await ctx.store.putVerified(digest, bytes);
  const now = ctx.now();
  const repo = ctx.state.ensure(target.name, now);
  repo.manifests.set(digest, {
    mediaType: parsed.mediaType,
    size: bytes.byteLength,
    contentSize: parsed.contentSize,
    ...(parsed.subject === undefined ? {} : { subject: parsed.subject }),
    ...(parsed.artifactType === undefined ? {} : { artifactType: parsed.artifactType }),
    ...(parsed.annotations === undefined ? {} : { annotations: parsed.annotations }),
    ...(parsed.isIndex ? { children: parsed.children } : {}),
    ...(parsed.platforms === undefined ? {} : { platforms: parsed.platforms }),
    ...(parsed.blobs[0] === undefined ? {} : { config: parsed.blobs[0] }),
  });
  if (!byDigest) repo.tags.set(target.reference, { digest, pushedAt: now });
  await ctx.save();
  if (!byDigest) {
    ctx.onTaggedPush({
      repository: target.name,
      tag: target.reference,
      digest,
      ...(call.account === undefined ? {} : { pusher: call.account }),
    });
  }
  const subject =
    parsed.subject !== undefined && ctx.rules.referrersApi === 'supported'
      ? { 'oci-subject': parsed.subject }
      : {};
  return emptyResponse(201, {
    location: `${call.url.origin}/v2/${target.name}/manifests/${digest}`,
    'docker-content-digest': digest,
    'content-length': '0',
    ...subject,
  });
}

/**
 * DELETE of a manifest by digest (removing every tag on it) or by tag, per the profile's rules.
 * @param ctx - registry context
 * @param target - repository name and reference
 * @returns 202 or a registry error
 * @internal
 */
export async function deleteManifest(
  ctx: RegistryContext,
  target: { name: string; reference: string },
): Promise<Response> {
  if (ctx.rules.manifestDelete === 'unsupported-405')
    return registryError(405, { code: 'UNSUPPORTED' });
  const repo = ctx.state.repos.get(target.name);
  if (!isDigestReference(target.reference)) {
    if (ctx.rules.deleteManifestByTag === 'digest-invalid-400')
      return registryError(400, { code: 'DIGEST_INVALID' });
    if (ctx.rules.deleteManifestByTag === 'unsupported-405')
      return registryError(405, { code: 'UNSUPPORTED' });
    if (repo?.tags.delete(target.reference) !== true)
      return unknownManifest(target.name, target.reference);
    await ctx.save();
    return emptyResponse(202, { 'content-length': '0' });
  }
  if (parseDigest(target.reference) === undefined)
    return registryError(400, { code: 'DIGEST_INVALID' });
  if (repo?.manifests.delete(target.reference) !== true)
    return registryError(404, { code: 'MANIFEST_UNKNOWN' });
  for (const [tag, rec] of repo.tags) if (rec.digest === target.reference) repo.tags.delete(tag);
  await ctx.save();
  return emptyResponse(202, { 'content-length': '0' });
}
