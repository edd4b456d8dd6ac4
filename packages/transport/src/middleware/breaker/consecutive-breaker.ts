/** Breaker settings. @public */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker (default 5). */
  readonly failureThreshold?: number;
  /** Consecutive half-open successes that close it (default 2). */
  readonly successThreshold?: number;
  /** How long it stays open before letting a trial call through, in ms (default 30 000). */
  readonly resetTimeoutMs?: number;
}

/** Name of a breaker state. @public */
export type BreakerStateName = 'closed' | 'open' | 'halfOpen';

/** A breaker state, serialisable. @public */
export type BreakerState =
  | { readonly name: 'closed'; readonly failures: number }
  | { readonly name: 'open'; readonly openedAt: number }
  | { readonly name: 'halfOpen'; readonly successes: number; readonly inFlight: boolean };

/** What {@link ConsecutiveBreaker.tryAcquire} decided. @public */
export type BreakerAdmission = { readonly allowed: true } | { readonly allowed: false; readonly halfOpenAt: number };

/**
 * A consecutive-failure circuit breaker (cockatiel's `ConsecutiveBreaker`) with the state as a
 * discriminated union. It is pure bookkeeping: the caller supplies the time and reports outcomes.
 * @public
 */
export class ConsecutiveBreaker {
  readonly #failureThreshold: number;
  readonly #successThreshold: number;
  readonly #resetTimeoutMs: number;
  readonly #onChange: (from: BreakerState, to: BreakerState) => void;
  #state: BreakerState = { name: 'closed', failures: 0 };

  /**
   * @param options - thresholds and reset timeout
   * @param onChange - called on every change of state name
   */
  constructor(options: CircuitBreakerOptions = {}, onChange: (from: BreakerState, to: BreakerState) => void = () => undefined) {
    this.#failureThreshold = Math.max(1, options.failureThreshold ?? 5);
    this.#successThreshold = Math.max(1, options.successThreshold ?? 2);
    this.#resetTimeoutMs = Math.max(0, options.resetTimeoutMs ?? 30_000);
    this.#onChange = onChange;
  }

  /**
   * The state at time `now` (an open breaker whose timeout passed reads as half-open).
   * @param now - current time in ms
   * @returns the state
   */
  stateAt(now: number): BreakerState {
    const s = this.#state;
    if (s.name === 'open' && now >= s.openedAt + this.#resetTimeoutMs) {
      this.#set({ name: 'halfOpen', successes: 0, inFlight: false });
    }
    return this.#state;
  }

  /**
   * Asks to send a call: closed passes; open fails fast; half-open passes one trial at a time.
   * @param now - current time in ms
   * @returns whether the call may go, and if not when the breaker half-opens
   */
  tryAcquire(now: number): BreakerAdmission {
    const s = this.stateAt(now);
    switch (s.name) {
      case 'closed':
        return { allowed: true };
      case 'open':
        return { allowed: false, halfOpenAt: s.openedAt + this.#resetTimeoutMs };
      case 'halfOpen':
        if (s.inFlight) return { allowed: false, halfOpenAt: now };
        this.#state = { ...s, inFlight: true };
        return { allowed: true };
    }
  }

  /** Records a successful call (any answer that is not a server failure). */
  success(): void {
    const s = this.#state;
    if (s.name === 'closed') {
      if (s.failures > 0) this.#state = { name: 'closed', failures: 0 };
    } else if (s.name === 'halfOpen') {
      const successes = s.successes + 1;
      if (successes >= this.#successThreshold) this.#set({ name: 'closed', failures: 0 });
      else this.#state = { name: 'halfOpen', successes, inFlight: false };
    }
  }

  /**
   * Records a failed call (5xx, connection reset, timeout).
   * @param now - current time in ms
   */
  failure(now: number): void {
    const s = this.#state;
    if (s.name === 'closed') {
      const failures = s.failures + 1;
      if (failures >= this.#failureThreshold) this.#set({ name: 'open', openedAt: now });
      else this.#state = { name: 'closed', failures };
    } else if (s.name === 'halfOpen') {
      this.#set({ name: 'open', openedAt: now });
    }
  }

  /** Releases a half-open trial slot whose outcome says nothing about the host (e.g. an abort). */
  release(): void {
    const s = this.#state;
    if (s.name === 'halfOpen') this.#state = { ...s, inFlight: false };
  }

  /** Closes the breaker by hand. */
  reset(): void {
    this.#set({ name: 'closed', failures: 0 });
  }

  /**
   * When an open breaker half-opens.
   * @returns the time in ms, or undefined when not open
   */
  halfOpenAt(): number | undefined {
    return this.#state.name === 'open' ? this.#state.openedAt + this.#resetTimeoutMs : undefined;
  }

  /** @returns the current state as JSON */
  toJSON(): BreakerState {
    return this.#state;
  }

  #set(next: BreakerState): void {
    const prev = this.#state;
    this.#state = next;
    if (prev.name !== next.name) this.#onChange(prev, next);
  }
}
