import {
  createTransport,
  errorFromResponse,
  type RateLimitStatus,
} from '@llmdevops/docker-hub-transport';

/** What a HEAD on a manifest tells without counting as a pull. */
export interface ManifestHead {
  readonly digest: string | undefined;
  readonly rateLimit: RateLimitStatus | undefined;
}

/**
 * Resolves a tag to its digest with HEAD (Docker Hub does not count HEAD as a pull).
 * @param registry - e.g. `https://registry-1.docker.io`
 * @param repository - e.g. `library/alpine`
 * @param tag - e.g. `3.19`
 */
export async function headManifest(
  registry: string,
  repository: string,
  tag: string,
): Promise<ManifestHead> {
  await using transport = createTransport({ maxRetries: 3, timeoutMs: 60_000 });
  const url = new URL(`/v2/${repository}/manifests/${tag}`, registry);
  const res = await transport.request({
    method: 'HEAD',
    url,
    headers: {
      accept:
        'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json',
    },
    context: {
      operation: 'manifest.head',
      route: '/v2/{name}/manifests/{reference}',
      repository,
      actions: ['pull'],
    },
    signal: AbortSignal.timeout(120_000),
  });
  if (res.status >= 400) throw await errorFromResponse(res, `HEAD manifest ${repository}:${tag}`);
  await res.dump(); // always consume or dump a body: it holds a socket and a concurrency permit
  return {
    digest: res.header('docker-content-digest'),
    rateLimit: transport.rateLimitStatus(url.host),
  };
}
