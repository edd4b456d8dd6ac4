import type { FaultRule, SimulatorUser, RateLimitOptions } from '@llmdevops/docker-hub-simulation';

/** A bad `dhub serve` option value; the caller turns it into a usage error. @internal */
export class OptionValueError extends Error {
  override readonly name = 'OptionValueError';
}

const nonNegativeInt = (text: string, what: string): number => {
  if (!/^\d{1,9}$/.test(text))
    throw new OptionValueError(`${what} must be a whole number, got '${text}'`);
  return Number(text);
};

/**
 * Parses `--user NAME:PASSWORD`.
 * @param text - the option value
 * @returns the simulator account
 * @throws OptionValueError without a colon or with an empty name or password
 * @internal
 */
export function parseUser(text: string): SimulatorUser {
  const colon = text.indexOf(':');
  const name = colon < 0 ? '' : text.slice(0, colon);
  const password = colon < 0 ? '' : text.slice(colon + 1);
  if (name === '' || password === '') throw new OptionValueError('--user must be NAME:PASSWORD');
  return { name, password };
}

/**
 * Parses a users file: one `NAME:PASSWORD` per line; blank lines and lines starting with `#` are
 * skipped. Errors name the file and line, never a password.
 * @param label - the option and path, for messages
 * @param text - the file's text
 * @returns the accounts in file order
 * @throws OptionValueError for a malformed line or a file without accounts
 * @internal
 */
export function parseUsersFile(label: string, text: string): SimulatorUser[] {
  const users: SimulatorUser[] = [];
  const rows = text.split(/\r?\n/);
  for (const [index, raw] of rows.entries()) {
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    try {
      users.push(parseUser(raw));
    } catch {
      throw new OptionValueError(`${label}: line ${index + 1} is not NAME:PASSWORD`);
    }
  }
  if (users.length === 0) throw new OptionValueError(`${label} holds no NAME:PASSWORD line`);
  return users;
}

/**
 * Parses `--rate-limit N/SECONDS`: N manifest pulls per window of SECONDS, for anonymous and
 * authenticated clients alike.
 * @param text - the option value, e.g. `100/21600`
 * @returns the simulator's rate-limit options
 * @throws OptionValueError when malformed
 * @internal
 */
export function parseRateLimit(text: string): RateLimitOptions {
  const match = /^(\d{1,9})\/(\d{1,9})$/.exec(text);
  if (match === null) throw new OptionValueError(`--rate-limit must be N/SECONDS, got '${text}'`);
  const limit = Number(match[1]);
  const windowSeconds = Number(match[2]);
  if (windowSeconds === 0)
    throw new OptionValueError('--rate-limit window must be at least 1 second');
  return { anonymousLimit: limit, authenticatedLimit: limit, windowSeconds };
}

interface MutableFault {
  match: { method?: string; path?: string | RegExp; attempt?: number };
  status?: number;
  retryAfter?: number;
  delayMs?: number;
  resetAfterBytes?: number;
  corrupt?: boolean;
  times?: number;
}

const FAULT_KEYS: Readonly<Record<string, (rule: MutableFault, value: string) => void>> = {
  method: (r, v) => (r.match.method = v.toUpperCase()),
  // The same meaning as the library's `match.path`: text the URL path contains, or a RegExp.
  path: (r, v) => (r.match.path = v),
  'path-regex': (r, v) => {
    try {
      r.match.path = new RegExp(v);
    } catch {
      throw new OptionValueError(`fault path-regex '${v}' is not a regular expression`);
    }
  },
  attempt: (r, v) => (r.match.attempt = nonNegativeInt(v, 'fault attempt')),
  status: (r, v) => {
    const status = nonNegativeInt(v, 'fault status');
    if (status < 100 || status > 599)
      throw new OptionValueError(`fault status must be 100-599, got ${v}`);
    r.status = status;
  },
  'retry-after': (r, v) => (r.retryAfter = nonNegativeInt(v, 'fault retry-after')),
  'delay-ms': (r, v) => (r.delayMs = nonNegativeInt(v, 'fault delay-ms')),
  'reset-after': (r, v) => (r.resetAfterBytes = nonNegativeInt(v, 'fault reset-after')),
  corrupt: (r, v) => {
    if (v !== 'true' && v !== 'false')
      throw new OptionValueError('fault corrupt must be true or false');
    r.corrupt = v === 'true';
  },
  times: (r, v) => (r.times = nonNegativeInt(v, 'fault times')),
};

/** The fault keys `--fault` understands, for the help text. @internal */
export const FAULT_SPEC_HELP =
  'KEY=VALUE,... with method, path (text the URL path contains), path-regex, attempt, times, status, retry-after (seconds), delay-ms (milliseconds), reset-after (bytes), corrupt';

/**
 * Parses `--fault SPEC`: comma-separated `key=value` pairs, e.g.
 * `status=503,path=/blobs/,times=2` or `corrupt,path=/blobs/` (a bare `corrupt` means true).
 * @param text - the option value
 * @returns a simulator fault rule
 * @throws OptionValueError naming the bad key or value
 * @internal
 */
export function parseFault(text: string): FaultRule {
  const rule: MutableFault = { match: {} };
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? 'true' : part.slice(eq + 1).trim();
    const apply = FAULT_KEYS[key];
    if (apply === undefined)
      throw new OptionValueError(`unknown fault key '${key}' (${FAULT_SPEC_HELP})`);
    apply(rule, value);
  }
  const { match, ...action } = rule;
  if (
    action.status === undefined &&
    action.delayMs === undefined &&
    action.resetAfterBytes === undefined &&
    action.corrupt !== true
  ) {
    throw new OptionValueError(
      `fault '${text}' does nothing: give status, delay-ms, reset-after or corrupt`,
    );
  }
  return { ...action, match };
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/**
 * Parses a duration such as `90s`, `30m`, `24h` or `7d` (a bare number is seconds).
 * @param option - the option name, for messages
 * @param text - the option value
 * @returns the duration in seconds (at least 1)
 * @throws OptionValueError when malformed or zero
 * @internal
 */
export function parseDuration(option: string, text: string): number {
  const match = /^(\d{1,9})([smhd])?$/.exec(text.trim());
  const unit = DURATION_UNITS[match?.[2] ?? 's'];
  if (match === null || unit === undefined)
    throw new OptionValueError(
      `${option} must be a duration such as 90s, 30m, 24h or 7d, got '${text}'`,
    );
  const seconds = Number(match[1]) * unit;
  if (seconds === 0) throw new OptionValueError(`${option} must be at least 1s`);
  return seconds;
}

/**
 * Parses a TCP port.
 * @param text - the option value
 * @returns the port (0 for a free one)
 * @throws OptionValueError outside 0-65535
 * @internal
 */
export function parsePort(text: string): number {
  const port = nonNegativeInt(text, '--port');
  if (port > 65_535) throw new OptionValueError(`--port must be 0-65535, got ${text}`);
  return port;
}
