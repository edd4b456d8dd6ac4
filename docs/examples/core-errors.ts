import { ImageReference, isDockerHubError } from '@llmdevops/docker-hub-core';

/**
 * Normalizes an image reference as Docker does, or explains what is wrong with it. Input errors
 * are never retried: the message names the bad shape and where it is.
 * @param text - e.g. `alpine:3.19`
 * @returns the canonical form, e.g. `docker.io/library/alpine:3.19`, or `CODE: message`
 */
export function normalizeOrExplain(text: string): string {
  try {
    return ImageReference.parse(text).toString();
  } catch (err) {
    if (isDockerHubError(err))
      return `${err.code}: ${err.message} (retryable: ${String(err.retryable)})`;
    throw err;
  }
}
