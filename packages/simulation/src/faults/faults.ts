/** Which requests a fault applies to. @public */
export interface FaultMatch {
  readonly method?: string;
  /**
   * The URL path (no query): a `RegExp` tested against it, or text it must contain (`'/blobs/'`
   * matches every blob request; `dhub serve --fault path=` means the same, `path-regex=` a RegExp).
   */
  readonly path?: string | RegExp;
  /** Only the n-th matching request (1-based). */
  readonly attempt?: number;
}

/** One scripted fault (issue 6, item 3). @public */
export interface FaultRule {
  readonly match: FaultMatch;
  /** Answer with this status instead of the real response (429 gets TOOMANYREQUESTS, 5xx UNAVAILABLE/UNKNOWN). */
  readonly status?: number;
  /** `Retry-After` seconds on the status answer. */
  readonly retryAfter?: number;
  /** Wait this many milliseconds before answering. */
  readonly delayMs?: number;
  /** Cut the response body (connection reset) after this many bytes. */
  readonly resetAfterBytes?: number;
  /** Flip one byte of the response body. */
  readonly corrupt?: boolean;
  /** Invalidate every token issued so far before answering (a token that expires early). */
  readonly expireTokens?: boolean;
  /** Fire at most this many times. */
  readonly times?: number;
}

/** Seeded random faults: each request fails with `status` at probability `rate`. @public */
export interface RandomFaults {
  readonly seed: number;
  readonly rate: number;
  readonly status?: number;
  readonly match?: FaultMatch;
}

/** What to do to one request. @internal */
export type FaultAction = Omit<FaultRule, 'match' | 'times'>;

function actionOf(rule: FaultRule): FaultAction {
  return {
    ...(rule.status === undefined ? {} : { status: rule.status }),
    ...(rule.retryAfter === undefined ? {} : { retryAfter: rule.retryAfter }),
    ...(rule.delayMs === undefined ? {} : { delayMs: rule.delayMs }),
    ...(rule.resetAfterBytes === undefined ? {} : { resetAfterBytes: rule.resetAfterBytes }),
    ...(rule.corrupt === undefined ? {} : { corrupt: rule.corrupt }),
    ...(rule.expireTokens === undefined ? {} : { expireTokens: rule.expireTokens }),
  };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function matches(match: FaultMatch | undefined, method: string, path: string): boolean {
  if (match?.method !== undefined && match.method.toUpperCase() !== method) return false;
  const p = match?.path;
  if (p === undefined) return true;
  return typeof p === 'string' ? path.includes(p) : p.test(path);
}

/**
 * Decides faults deterministically: scripted rules first (counting attempts per rule), then the
 * seeded random source. The same plan serves loopback and in-process, so both see identical faults.
 * @internal
 */
export class FaultPlan {
  private readonly seen: number[];
  private readonly fired: number[];
  private readonly random: (() => number) | undefined;

  constructor(
    private readonly rules: readonly FaultRule[],
    private readonly randomFaults?: RandomFaults,
  ) {
    this.seen = rules.map(() => 0);
    this.fired = rules.map(() => 0);
    this.random = randomFaults === undefined ? undefined : mulberry32(randomFaults.seed);
  }

  /**
   * The fault for one request, if any.
   * @param method - HTTP method
   * @param path - URL path
   * @returns the action, or `undefined`
   */
  next(method: string, path: string): FaultAction | undefined {
    // Every matching rule counts the request, so `attempt` means the n-th request the rule's
    // match selects, whichever rule answered the earlier ones.
    const eligible: number[] = [];
    for (const [i, rule] of this.rules.entries()) {
      if (!matches(rule.match, method, path)) continue;
      const attempt = (this.seen[i] ?? 0) + 1;
      this.seen[i] = attempt;
      if (rule.match.attempt !== undefined && rule.match.attempt !== attempt) continue;
      if (rule.times !== undefined && (this.fired[i] ?? 0) >= rule.times) continue;
      eligible.push(i);
    }
    const chosen = eligible[0];
    const rule = chosen === undefined ? undefined : this.rules[chosen];
    if (chosen !== undefined && rule !== undefined) {
      this.fired[chosen] = (this.fired[chosen] ?? 0) + 1;
      return actionOf(rule);
    }
    const r = this.randomFaults;
    if (
      r !== undefined &&
      this.random !== undefined &&
      matches(r.match, method, path) &&
      this.random() < r.rate
    ) {
      return { status: r.status ?? 503 };
    }
    return undefined;
  }
}
