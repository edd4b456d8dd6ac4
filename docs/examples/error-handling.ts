import { isDockerHubError } from '@llmdevops/docker-hub-core';
import { createTransport, errorFromResponse } from '@llmdevops/docker-hub-transport';

/**
 * Reads a manifest, or returns undefined when it does not exist. Every failure is a
 * `DockerHubError`: match on its stable `code`, never on the message.
 * @param manifestUrl - full manifest URL
 */
export async function manifestOrUndefined(manifestUrl: string): Promise<string | undefined> {
  await using transport = createTransport({ maxRetries: 2 });
  try {
    const res = await transport.request({ method: 'GET', url: new URL(manifestUrl), headers: {} });
    if (res.status >= 400) throw await errorFromResponse(res, `GET ${manifestUrl}`);
    return await res.text(4 * 1024 * 1024);
  } catch (err) {
    if (!isDockerHubError(err)) throw err;
    // The registry's own code (MANIFEST_UNKNOWN) is kept as sent; NOT_FOUND is a 404 without one.
    if (err.code === 'MANIFEST_UNKNOWN' || err.code === 'NOT_FOUND') return undefined;
    if (err.code === 'UNAUTHORIZED' || err.code === 'DENIED') {
      throw new Error(`check the credentials for ${new URL(manifestUrl).host}`, { cause: err });
    }
    // err.retryable says whether trying again later can help (the transport already retried).
    throw err;
  }
}
