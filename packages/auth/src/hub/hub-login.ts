import {
  AuthenticationError,
  AuthorizationError,
  RegistryError,
  Secret,
  systemClock,
  validateOptions,
  ValidationError,
  type Clock,
} from '@llmdevops/docker-hub-core';
import { type Next, type TransportRequest } from '@llmdevops/docker-hub-transport';
import { readJson, SKIP_AUTH } from '../internal/http.js';
import { HUB_LOGIN_RULES } from '../internal/options.js';
import { type AuthEventListener } from '../middleware/auth-events.js';
import { readJwtExpiry } from '../token/jwt.js';
import { hubErrorFromResponse, readHubErrorBody } from './hub-errors.js';

/** The Docker Hub API origin. @public */
export const DOCKER_HUB_URL = 'https://hub.docker.com';

/** Asked for the one-time code when an account has two-factor authentication. @public */
export type TwoFactorCallback = (info: {
  readonly identifier: string;
  readonly signal?: AbortSignal;
}) => Promise<string>;

/** Options of {@link createHubLogin}. @public */
export interface HubLoginOptions {
  /** Hub API base URL (default `https://hub.docker.com`, or `DOCKER_HUB_URL` from your config). */
  readonly hubUrl?: string | URL;
  /** Username, or organization name for an organization access token. */
  readonly identifier: string;
  /** Password, personal access token or organization access token. */
  readonly secret: Secret | string;
  /** Sends the HTTP requests (a transport's `request` or a pipeline `Next`). */
  readonly send: Next;
  /** Supplies the one-time code when Docker Hub answers a login with a 2FA challenge. */
  readonly onTwoFactor?: TwoFactorCallback;
  /** `auto` (default): `/v2/auth/token`, then `/v2/users/login` when the former is missing (404/405). */
  readonly endpoint?: 'auto' | 'auth-token' | 'users-login';
  /** Renew this many ms before the JWT's `exp` (default 60 000). */
  readonly renewMarginMs?: number;
  /** Lifetime assumed when the JWT has no readable `exp` (default 5 minutes). */
  readonly defaultLifetimeMs?: number;
  /** Time source. */
  readonly clock?: Pick<Clock, 'now'>;
  /**
   * Receives a `token` event for every login (Hub host, account, expiry; no scopes) and a
   * `refused` event when Docker Hub refuses the credentials or the one-time code. Never the
   * secret or the JWT.
   */
  readonly onEvent?: AuthEventListener;
}

/** A logged-in Docker Hub API session. @public */
export interface HubSession {
  /** The Hub API origin the JWT belongs to. */
  readonly origin: string;
  /**
   * A JWT valid for at least the renewal margin, logging in (again) when needed. Concurrent
   * callers share one login.
   * @param signal - cancels a login
   * @returns the JWT (send as `Authorization: Bearer`)
   * @throws {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError} for refused credentials (`UNAUTHORIZED`) or a missing 2FA code (`TWO_FACTOR_REQUIRED`)
   */
  token(signal?: AbortSignal): Promise<Secret>;
  /** When the current JWT expires (ms since epoch), or undefined before the first login. */
  readonly expiresAt: number | undefined;
  /** Forgets the current JWT (after a 401), so the next {@link HubSession.token} logs in again. */
  invalidate(): void;
  /** Zeroes the JWT and the stored secret; the session is unusable afterwards. */
  dispose(): void;
}

interface Jwt {
  readonly token: Secret;
  readonly expiresAt: number;
}

/** What the login steps share: the options, a private copy of the secret, URLs and messages. */
interface LoginFlow {
  readonly options: HubLoginOptions;
  readonly secret: Secret;
  /** `Docker Hub login for "alice"`, for messages. */
  readonly what: string;
  endpoint(path: string): URL;
  toJwt(value: string): Jwt;
}

const TWO_FACTOR_DETAIL = 'two-factor authentication is enabled for this account';

function post(url: URL, body: unknown, signal: AbortSignal | undefined): TransportRequest {
  return {
    method: 'POST',
    url,
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
    idempotent: false,
    context: { operation: 'hub.login', [SKIP_AUTH]: true },
  };
}

function stringField(body: unknown, ...names: string[]): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  for (const n of names) {
    const v = (body as Record<string, unknown>)[n];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

function twoFactorError(flow: LoginFlow, why: string): AuthenticationError {
  return new AuthenticationError(`${flow.what}: ${why}`, { status: 401 }, 'TWO_FACTOR_REQUIRED');
}

/** Step 1 (current API): `POST /v2/auth/token`; `missing` when the route does not exist. */
async function viaAuthToken(flow: LoginFlow, signal?: AbortSignal): Promise<Jwt | 'missing'> {
  const { options, secret } = flow;
  const res = await options.send(
    post(
      flow.endpoint('v2/auth/token'),
      { identifier: options.identifier, secret: secret.reveal() },
      signal,
    ),
  );
  if (res.status === 404 || res.status === 405) {
    await res.dump();
    return 'missing';
  }
  const body = await readJson(res);
  if (res.status >= 400) {
    if (readHubErrorBody(body).login2faToken !== undefined) return secondFactor(flow, body, signal);
    throw hubErrorFromResponse(res.status, body, flow.what);
  }
  const value = stringField(body, 'access_token', 'token');
  if (value === undefined)
    throw new RegistryError(`${flow.what}: answer has no access_token`, { status: res.status });
  return flow.toJwt(value);
}

/** Step 1 (legacy API): `POST /v2/users/login`, with its 2FA branch. */
async function viaUsersLogin(flow: LoginFlow, signal?: AbortSignal): Promise<Jwt> {
  const { options, secret } = flow;
  const res = await options.send(
    post(
      flow.endpoint('v2/users/login'),
      { username: options.identifier, password: secret.reveal() },
      signal,
    ),
  );
  const body = await readJson(res);
  if (res.status >= 400) {
    if (res.status === 401 && readHubErrorBody(body).login2faToken !== undefined)
      return secondFactor(flow, body, signal);
    throw hubErrorFromResponse(res.status, body, flow.what);
  }
  const value = stringField(body, 'token', 'access_token');
  if (value === undefined)
    throw new RegistryError(`${flow.what}: answer has no token`, { status: res.status });
  return flow.toJwt(value);
}

/** Asks `onTwoFactor` for the one-time code; fails when there is no callback or no code. */
async function readTwoFactorCode(flow: LoginFlow, signal?: AbortSignal): Promise<string> {
  const ask = flow.options.onTwoFactor;
  if (ask === undefined) {
    throw twoFactorError(
      flow,
      `${TWO_FACTOR_DETAIL}; supply a one-time code (onTwoFactor) or use a personal access token`,
    );
  }
  const code = (
    await ask({ identifier: flow.options.identifier, ...(signal === undefined ? {} : { signal }) })
  ).trim();
  if (code === '') throw twoFactorError(flow, `${TWO_FACTOR_DETAIL}; the one-time code was empty`);
  return code;
}

/** Step 2 (2FA accounts): `POST /v2/users/2fa-login` with the challenge's token and the code. */
async function secondFactor(flow: LoginFlow, body: unknown, signal?: AbortSignal): Promise<Jwt> {
  const loginToken = new Secret(readHubErrorBody(body).login2faToken ?? '');
  try {
    const code = await readTwoFactorCode(flow, signal);
    const res = await flow.options.send(
      post(
        flow.endpoint('v2/users/2fa-login'),
        { login_2fa_token: loginToken.reveal(), code },
        signal,
      ),
    );
    const answer = await readJson(res);
    if (res.status === 401) throw twoFactorError(flow, 'the one-time code was refused');
    if (res.status >= 400) throw hubErrorFromResponse(res.status, answer, flow.what);
    const value = stringField(answer, 'token', 'access_token');
    if (value === undefined)
      throw new RegistryError(`${flow.what}: 2FA answer has no token`, { status: res.status });
    return flow.toJwt(value);
  } finally {
    loginToken.dispose();
  }
}

/** One login through the configured endpoint choice. */
async function login(flow: LoginFlow, signal?: AbortSignal): Promise<Jwt> {
  const mode = flow.options.endpoint ?? 'auto';
  if (mode !== 'users-login') {
    const jwt = await viaAuthToken(flow, signal);
    if (jwt !== 'missing') return jwt;
    if (mode === 'auth-token')
      throw new RegistryError(
        `${flow.what}: ${flow.endpoint('v2/auth/token').pathname} is not available`,
        { status: 404 },
      );
  }
  return viaUsersLogin(flow, signal);
}

function validBase(options: HubLoginOptions): URL {
  const base = new URL(options.hubUrl ?? DOCKER_HUB_URL);
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new ValidationError('INVALID_ARGUMENT', 'Hub URL must be http(s)', base.protocol);
  if (options.identifier === '')
    throw new ValidationError(
      'INVALID_ARGUMENT',
      'Hub login needs a username or organization name',
      '',
    );
  return base;
}

/**
 * Creates a Docker Hub API session: `POST /v2/auth/token` with `{identifier, secret}` (password,
 * PAT or OAT), or the deprecated `POST /v2/users/login`. When Docker Hub answers either with a
 * 2FA challenge (a 401 carrying `login_2fa_token`), the session asks `onTwoFactor` for the code
 * and completes the login with `POST /v2/users/2fa-login`. The JWT's `exp` is read without
 * verification, only to renew it `renewMarginMs` early.
 * @param options - Hub URL, identifier and secret, transport, 2FA callback, event listener
 * @returns the session (nothing is sent until {@link HubSession.token})
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when the Hub URL is not http(s) or the identifier is empty
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming every unknown option and every value of the wrong type
 * @example
 * ```ts
 * const hub = createHubLogin({ identifier: 'alice', secret: new Secret(pat), send: transport.request });
 * const jwt = await hub.token();
 * ```
 * @public
 */
export function createHubLogin(options: HubLoginOptions): HubSession {
  validateOptions('createHubLogin options', options, HUB_LOGIN_RULES);
  const base = validBase(options);
  const clock = options.clock ?? systemClock;
  const emit: AuthEventListener = options.onEvent ?? (() => undefined);
  // A private copy: dispose() zeroes it without touching the caller's Secret.
  const secret = new Secret(
    typeof options.secret === 'string' ? options.secret : options.secret.reveal(),
  );
  const margin = options.renewMarginMs ?? 60_000;
  const flow: LoginFlow = {
    options,
    secret,
    what: `Docker Hub login for "${options.identifier}"`,
    endpoint: (path) => new URL(path, base.href.endsWith('/') ? base.href : `${base.href}/`),
    toJwt: (value) => ({
      token: new Secret(value),
      expiresAt: readJwtExpiry(value) ?? clock.now() + (options.defaultLifetimeMs ?? 300_000),
    }),
  };
  let current: Jwt | undefined;
  // Replaced JWTs may still be in a request being sent; they are zeroed on dispose().
  const retired: Jwt[] = [];
  let inflight: Promise<Jwt> | undefined;
  let disposed = false;

  async function observedLogin(signal?: AbortSignal): Promise<Jwt> {
    try {
      const jwt = await login(flow, signal);
      emit({
        type: 'token',
        realmHost: base.host,
        scopes: [],
        expiresAt: jwt.expiresAt,
        account: options.identifier,
      });
      return jwt;
    } catch (err) {
      if (err instanceof AuthenticationError || err instanceof AuthorizationError)
        emit({ type: 'refused', host: base.host, status: err.status ?? 401, reason: err.code });
      throw err;
    }
  }

  return {
    origin: base.origin,
    get expiresAt() {
      return current?.expiresAt;
    },
    async token(signal?: AbortSignal): Promise<Secret> {
      if (disposed)
        throw new ValidationError('INVALID_ARGUMENT', 'Hub session was disposed', 'session');
      if (current !== undefined && clock.now() < current.expiresAt - margin) return current.token;
      inflight ??= observedLogin(signal).finally(() => {
        inflight = undefined;
      });
      const jwt = await inflight;
      if (current !== undefined && current !== jwt) retired.push(current);
      current = jwt;
      return jwt.token;
    },
    invalidate(): void {
      if (current !== undefined) retired.push(current);
      current = undefined;
    },
    dispose(): void {
      disposed = true;
      current?.token.dispose();
      for (const j of retired.splice(0)) j.token.dispose();
      current = undefined;
      secret.dispose();
    },
  };
}
