import { CircuitOpenError } from '@llmdevops/docker-hub-core';
import type { Transport } from '@llmdevops/docker-hub-transport';

/** What an operator sees about one host's breaker. */
export interface BreakerReport {
  readonly state: 'closed' | 'open' | 'halfOpen';
  readonly halfOpenAt: Date | undefined;
  /** Consecutive failures counted while closed (0 in the other states). */
  readonly failures: number;
}

/**
 * Reports a host's circuit breaker and, when asked, closes it by hand (runbook:
 * "Circuit breaker stuck", after the registry is known to be healthy again).
 * @param transport - the transport in use
 * @param host - `host[:port]`, e.g. `registry-1.docker.io`
 * @param reset - close the breaker
 */
export function inspectBreaker(transport: Transport, host: string, reset = false): BreakerReport {
  const breaker = transport.breaker(host);
  const snapshot = breaker.snapshot;
  const report: BreakerReport = {
    state: snapshot.name,
    halfOpenAt: breaker.halfOpenAt,
    failures: snapshot.name === 'closed' ? snapshot.failures : 0,
  };
  if (reset) breaker.reset();
  return report;
}

/**
 * Whether an error means "the breaker refused the call" (fail fast, nothing was sent).
 * @param err - any error
 */
export function isBreakerRefusal(err: unknown): err is CircuitOpenError {
  return err instanceof CircuitOpenError;
}
