import {
  DockerHubClient,
  isDockerHubError,
  type DockerHubConfigInput,
} from '@llmdevops/docker-hub';

/**
 * `DockerHubClient` (`@llmdevops/docker-hub-services`): every call takes `{ signal }`, every
 * failure is a `DockerHubError` with a stable `code`.
 * @param config - the client configuration (from the environment when omitted)
 * @param image - e.g. `alpine:3.19`
 * @returns the digest and tags, or the error code
 */
export async function describeImage(
  config: DockerHubConfigInput | undefined,
  image: string,
): Promise<{ digest: string; tags: string[] } | { code: string; retryable: boolean }> {
  const client = new DockerHubClient(config);
  try {
    const signal = AbortSignal.timeout(30_000); // abort the whole sequence after 30 s
    const head = await client.manifests.head(image, { signal }); // HEAD: no pull counted
    const tags = await client.tags.list(image, { signal });
    return { digest: head.digest, tags };
  } catch (err) {
    if (!isDockerHubError(err)) throw err;
    // MANIFEST_UNKNOWN, UNAUTHORIZED, TOOMANYREQUESTS, ABORTED, ...; see docs/errors.md
    return { code: err.code, retryable: err.retryable };
  } finally {
    await client.close();
  }
}
