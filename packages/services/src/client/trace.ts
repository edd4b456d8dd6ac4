import type { TransportEvents } from '@llmdevops/docker-hub-transport';
import type { ResolvedDockerHubConfig } from '../config/schema.js';

/** Where the client writes its log lines (default `console`). @public */
export interface ClientLogger {
  /** @param message - one line, no secrets */
  debug(message: string): void;
  /** @param message - one line, no secrets */
  warn(message: string): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/**
 * Wires `observability` to transport events: `traceRequests` logs each finished request at
 * debug (method, host, route template, status, duration, attempts: no URLs with queries, no
 * headers beyond the transport's allow-list, never credentials); retries and low rate limits are
 * logged at warn. `logLevel` filters both.
 * @param events - the transport's events
 * @param config - the client configuration
 * @param logger - where lines go
 * @returns a function that stops logging
 * @internal
 */
export function attachTracing(events: TransportEvents, config: ResolvedDockerHubConfig, logger: ClientLogger): () => void {
  const level = LEVELS.indexOf(config.observability.logLevel);
  const disposers: (() => void)[] = [];
  if (config.observability.traceRequests && level <= LEVELS.indexOf('debug')) {
    disposers.push(
      events.on('requestEnd', (e) => {
        logger.debug(`${e.method} ${e.host}${e.route} -> ${e.status ?? e.errorCode ?? '?'} in ${Math.round(e.durationMs)} ms (${e.attempts} attempt${e.attempts === 1 ? '' : 's'})`);
      }),
    );
  }
  if (level <= LEVELS.indexOf('warn')) {
    disposers.push(
      events.on('retry', (e) => {
        logger.warn(`retrying ${e.method} ${e.host}${e.route} (attempt ${e.attempt}, in ${e.delayMs} ms): ${e.reason}`);
      }),
      events.on('rateLimitLow', (e) => {
        logger.warn(`rate limit low on ${e.host}: ${e.remaining} left${e.limit === undefined ? '' : ` of ${e.limit}`}`);
      }),
    );
  }
  return () => {
    for (const dispose of disposers) dispose();
  };
}
