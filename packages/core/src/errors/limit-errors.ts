import { DockerHubError } from './docker-hub-error.js';

/**
 * An operation went past one of its caps, such as the nesting depth or the number of manifests
 * of an image (code `LIMIT_EXCEEDED`). `limit` names the cap, so the caller knows which option
 * to raise when the input is legitimate. Never retried: the same input hits the same cap.
 * @example
 * ```ts
 * if (err instanceof LimitExceededError && err.limit === 'maxManifests') console.log(err.max);
 * ```
 * @public
 */
export class LimitExceededError extends DockerHubError {
  /** The name of the cap, e.g. `maxManifests` or `maxDepth`. */
  readonly limit: string;
  /** The cap's value. */
  readonly max: number;

  /**
   * @param limit - the name of the cap
   * @param max - its value
   * @param what - what went past it, e.g. `manifests of docker.io/library/alpine:3.19`
   */
  constructor(limit: string, max: number, what: string) {
    super('LIMIT_EXCEEDED', `${what}: over the limit ${limit} = ${max}`);
    this.limit = limit;
    this.max = max;
  }
}
