import { isDockerHubError, type ImageReference } from '@llmdevops/docker-hub-core';
import { decideFailure } from '@llmdevops/docker-hub-transport';

/** An endpoint a mirrored request skipped, and why. @public */
export interface SkippedEndpoint {
  /** The endpoint's origin, e.g. `https://mirror.internal`. */
  readonly endpoint: string;
  /** Why it was left: `status 404`, `status 503`, or the error code (`NETWORK`, `CIRCUIT_OPEN`, …). */
  readonly reason: string;
}

/**
 * Which endpoint served a pull request of a registry with mirrors (event `mirror`): a mirror, or
 * the registry itself after every mirror failed.
 * @public
 */
export interface MirrorEvent {
  /** Always `served`. */
  readonly type: 'served';
  /** The registry the reference names, e.g. `docker.io`. */
  readonly registry: string;
  /** The repository, e.g. `library/alpine`. */
  readonly repository: string;
  /** What was read: `manifests/<reference>` or `blobs/<digest>`. */
  readonly path: string;
  /** The origin that answered, e.g. `https://mirror.internal` or `https://registry-1.docker.io`. */
  readonly endpoint: string;
  /** True when a mirror answered, false when the registry itself did. */
  readonly mirror: boolean;
  /** The mirrors tried before, in order, with the reason each was left. */
  readonly skipped: readonly SkippedEndpoint[];
}

/** A policy for judging one failure the way the transport would: one attempt, idempotent. */
const ONE_FAILURE = { attempt: 1, idempotent: true, now: 0, policy: { maxRetries: 1, maxRetryWaitMs: 0, backoff: { baseMs: 0, capMs: 0 } } };

/**
 * Why a pull from one endpoint moves on to the next, or undefined when it must not: a 404 or 5xx
 * answer (as Docker's `registry-mirrors`), or an error the transport's failure policy
 * (`decideFailure`) counts as transient (refused or broken connections, timeouts) once its own
 * retries are spent, a connection that failed for good (TLS) or an open circuit breaker. Aborts,
 * the operation's deadline and authentication refusals end the pull.
 * @param outcome - the endpoint's status or error
 * @returns the reason to try the next endpoint, or undefined
 * @internal
 */
export function failoverReason(outcome: { readonly status: number } | { readonly error: unknown }): string | undefined {
  if ('status' in outcome) return outcome.status === 404 || outcome.status >= 500 ? `status ${outcome.status}` : undefined;
  const { error } = outcome;
  if (!isDockerHubError(error)) return undefined;
  if (error.code === 'NETWORK' || error.code === 'CIRCUIT_OPEN') return error.code;
  if (error.status === undefined && decideFailure(error, ONE_FAILURE).retry) return error.code;
  return undefined;
}

/**
 * The mirrors configured for the registry of a reference, for the request paths they serve
 * (manifest and blob GETs).
 * @param mirrors - mirror base URLs by registry (`docker.io`, `host[:port]`)
 * @param ref - the reference
 * @param method - the request method
 * @param path - the path below `/v2/<name>/`
 * @returns the mirror origins in order, or an empty list
 * @internal
 */
export function mirrorsFor(mirrors: Readonly<Record<string, readonly string[]>>, ref: ImageReference, method: string, path: string): readonly string[] {
  if (method !== 'GET' || !(path.startsWith('manifests/') || (path.startsWith('blobs/') && !path.startsWith('blobs/uploads')))) return [];
  return mirrors[ref.isDockerHub ? 'docker.io' : ref.registry.toLowerCase()] ?? [];
}
