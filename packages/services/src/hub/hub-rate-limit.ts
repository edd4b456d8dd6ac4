import {
  parseRateLimitHeaders,
  type RateLimitStatus,
  type ResponseHeaders,
} from '@llmdevops/docker-hub-transport';

/**
 * The Docker Hub API's own budget (`X-RateLimit-Limit` per minute, `-Remaining`, `-Reset`), kept
 * apart from the registry's pull limits (`ratelimit-*`), which count something else entirely.
 * @public
 */
export class HubRateLimitTracker {
  #latest: RateLimitStatus | undefined;

  /**
   * Records the `X-RateLimit-*` headers of a Hub API response; responses without them leave the
   * status alone (absence means "not limited", never zero).
   * @param headers - response headers (lower-case names)
   * @param now - current time in ms
   */
  observe(headers: ResponseHeaders, now: number): void {
    const hub: Record<string, string | string[] | undefined> = {};
    for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])
      hub[name] = headers[name];
    const { status } = parseRateLimitHeaders(hub, now);
    if (status !== undefined) this.#latest = status;
  }

  /**
   * The latest Hub API budget seen.
   * @returns the status, or undefined when the Hub API sent no `X-RateLimit-*` headers
   */
  status(): RateLimitStatus | undefined {
    return this.#latest;
  }
}
