import { Secret, systemClock, ValidationError } from '@llmdevops/docker-hub-core';
import type { CallOptions } from '../client/ref.js';
import { HubApi, type HubContext, type HubServiceOptions } from './hub-api.js';
import { HubAccessTokenSchema, hubPageSchema, type HubAccessToken } from './hub-schemas.js';
import { charCount, pageLimits, type HubPageOptions } from './repositories-service.js';

/**
 * Scopes of a personal access token, narrowest first; a wider one implies the narrower ones
 * (`repo:admin` is Docker Hub's "Read, Write, Delete").
 * @public
 */
export const ACCESS_TOKEN_SCOPES = [
  'repo:public_read',
  'repo:read',
  'repo:write',
  'repo:admin',
] as const;

/** A personal access token scope. @public */
export type AccessTokenScope = (typeof ACCESS_TOKEN_SCOPES)[number];

/** What {@link AccessTokensService.create} needs. @public */
export interface CreateAccessTokenOptions extends CallOptions {
  /** Label shown in Docker Hub, 1 to 100 characters. */
  readonly label: string;
  /** Scopes (at least one): `repo:public_read`, `repo:read`, `repo:write`, `repo:admin`. */
  readonly scopes: readonly string[];
  /** When the token stops working (default never). */
  readonly expiresAt?: Date;
}

/** What {@link AccessTokensService.update} changes. @public */
export interface UpdateAccessTokenOptions extends CallOptions {
  /** New label, 1 to 100 characters. */
  readonly label?: string;
  /** Enable (true) or disable (false) the token. */
  readonly isActive?: boolean;
}

/** A created token: its details and, once, its secret. @public */
export interface CreatedAccessToken {
  /** The token's details. */
  readonly token: HubAccessToken;
  /**
   * The token itself (`dckr_pat_...`), which Docker Hub shows only in this answer. It prints as
   * `[REDACTED]`; `reveal()` gives the value.
   */
  readonly secret: Secret;
}

const LABEL_MAX = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks a token label.
 * @param label - the label
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when empty or over 100 characters
 * @internal
 */
export function checkLabel(label: string): void {
  if (typeof label !== 'string' || label.trim() === '' || charCount(label) > LABEL_MAX)
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `token label must be 1 to ${LABEL_MAX} characters`,
      label,
    );
}

/**
 * Checks a token id.
 * @param id - the UUID
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when it is not a UUID
 * @internal
 */
export function checkUuid(id: string): void {
  if (typeof id !== 'string' || !UUID.test(id))
    throw new ValidationError(
      'INVALID_ARGUMENT',
      'token id must be a UUID such as b30bbf97-506c-4ecd-aabc-842f3cb484fb',
      id,
    );
}

/**
 * Checks an expiry date.
 * @param at - the date
 * @param now - the current time (ms)
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when invalid or not in the future
 * @internal
 */
export function checkExpiry(at: Date | undefined, now: number): void {
  if (at === undefined) return;
  if (!(at instanceof Date) || !Number.isFinite(at.getTime()) || at.getTime() <= now)
    throw new ValidationError(
      'INVALID_ARGUMENT',
      'token expiry must be a date in the future',
      String(at),
    );
}

/**
 * Moves the secret of a creation answer into a {@link @llmdevops/docker-hub-core!Secret | Secret}
 * and drops it from the details.
 * @param parsed - the parsed answer
 * @returns details and secret
 * @internal
 */
export function takeSecret<T extends { readonly token?: string | undefined }>(
  parsed: T,
): { details: Omit<T, 'token'>; secret: Secret | undefined } {
  const { token, ...details } = parsed;
  return { details, secret: token === undefined ? undefined : new Secret(token) };
}

/**
 * The `expires_at` field of a creation body: absent without an expiry.
 * @param at - the expiry, already checked by {@link checkExpiry}
 * @returns the field to spread into the body
 * @internal
 */
export function expiryField(at: Date | undefined): { expires_at?: string } {
  return at === undefined ? {} : { expires_at: at.toISOString() };
}

/**
 * The details and secret of a token Docker Hub has just created; an answer without its secret is
 * an error (the secret is shown only once, so a token without it is of no use).
 * @param parsed - the parsed creation answer
 * @param what - what was asked, for the error
 * @param id - the token's id in the details, for the error
 * @returns the details and the secret
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when the answer has no token
 * @internal
 */
export function createdToken<T extends { readonly token?: string | undefined }>(
  parsed: T,
  what: string,
  id: (details: Omit<T, 'token'>) => string,
): { token: Omit<T, 'token'>; secret: Secret } {
  const { details, secret } = takeSecret(parsed);
  if (secret === undefined)
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `${what}: Docker Hub's answer has no token`,
      id(details),
    );
  return { token: details, secret };
}

/**
 * Personal access tokens of the logged-in account (`/v2/access-tokens`): create (the secret is
 * returned once, as a `Secret`), list, get, update (label, enable/disable) and delete.
 * @example
 * ```ts
 * const { token, secret } = await client.accessTokens.create({ label: 'ci', scopes: ['repo:read'] });
 * await storeInVault(secret.reveal());
 * await client.accessTokens.update(token.uuid, { isActive: false });
 * ```
 * @public
 */
export class AccessTokensService {
  readonly #api: HubApi;
  readonly #now: () => number;

  /**
   * @param ctx - transport, Hub URL and session (the client's `ClientContext` fits)
   * @param options - shared Hub rate-limit tracker, clock
   */
  constructor(ctx: HubContext, options: HubServiceOptions = {}) {
    this.#api = new HubApi(ctx, options);
    const clock = options.clock ?? systemClock;
    this.#now = () => clock.now();
  }

  /**
   * Creates a personal access token (`POST /v2/access-tokens`).
   * @param options - label, scopes, expiry, signal
   * @returns its details and its secret (shown only now)
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for a bad label, an unknown scope or a past expiry (nothing is sent);
   *   {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError} without credentials
   */
  async create(options: CreateAccessTokenOptions): Promise<CreatedAccessToken> {
    checkLabel(options.label);
    const scopes: readonly unknown[] = Array.isArray(options.scopes)
      ? (options.scopes as readonly unknown[])
      : [];
    if (scopes.length === 0)
      throw new ValidationError(
        'INVALID_ARGUMENT',
        `a token needs at least one scope: ${ACCESS_TOKEN_SCOPES.join(', ')}`,
        '[]',
      );
    for (const s of scopes)
      if (typeof s !== 'string' || !(ACCESS_TOKEN_SCOPES as readonly string[]).includes(s))
        throw new ValidationError(
          'INVALID_ARGUMENT',
          `unknown scope ${JSON.stringify(s)}; one of ${ACCESS_TOKEN_SCOPES.join(', ')}`,
          String(s),
        );
    checkExpiry(options.expiresAt, this.#now());
    return this.#api.run('hub.access_tokens.create', {}, async () => {
      const what = `create access token "${options.label}"`;
      const res = await this.#api.expect(
        {
          method: 'POST',
          url: this.#api.url('v2/access-tokens'),
          operation: 'hub.access_tokens.create',
          what,
          auth: 'required',
          signal: options.signal,
          body: {
            token_label: options.label,
            scopes: [...new Set(scopes)],
            ...expiryField(options.expiresAt),
          },
        },
        [200, 201],
      );
      return createdToken(
        await this.#api.parse(res, HubAccessTokenSchema, what),
        what,
        (t) => t.uuid,
      );
    });
  }

  /**
   * The account's personal access tokens, one by one (lazily, across pages).
   * @param options - page size, page cap, signal
   * @returns an async iterable of tokens (never their secrets)
   * @throws {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError} without credentials
   */
  async *list(options: HubPageOptions = {}): AsyncIterable<HubAccessToken> {
    const { pageSize, maxPages } = pageLimits(options);
    const pages = this.#api.pages(
      {
        method: 'GET',
        url: this.#api.url('v2/access-tokens', { page_size: pageSize }),
        operation: 'hub.access_tokens.list',
        what: 'list access tokens',
        auth: 'required',
        signal: options.signal,
      },
      hubPageSchema(HubAccessTokenSchema),
      { maxPages },
    );
    for await (const page of pages) for (const t of page) yield takeSecret(t).details;
  }

  /**
   * One personal access token (`GET /v2/access-tokens/{uuid}`).
   * @param uuid - its id
   * @param options - signal
   * @returns its details (never its secret)
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError}
   */
  async get(uuid: string, options: CallOptions = {}): Promise<HubAccessToken> {
    checkUuid(uuid);
    return this.#api.run('hub.access_tokens.get', {}, async () => {
      const what = `get access token ${uuid}`;
      const res = await this.#api.expect(
        {
          method: 'GET',
          url: this.#api.url(`v2/access-tokens/${uuid}`),
          operation: 'hub.access_tokens.get',
          what,
          auth: 'required',
          signal: options.signal,
        },
        [200],
      );
      return takeSecret(await this.#api.parse(res, HubAccessTokenSchema, what)).details;
    });
  }

  /**
   * Changes a token's label or enables/disables it (`PATCH /v2/access-tokens/{uuid}`).
   * @param uuid - its id
   * @param options - label, isActive, signal
   * @returns the token after the change
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when nothing is to change; {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError}
   */
  async update(uuid: string, options: UpdateAccessTokenOptions): Promise<HubAccessToken> {
    checkUuid(uuid);
    if (options.label !== undefined) checkLabel(options.label);
    if (options.label === undefined && options.isActive === undefined)
      throw new ValidationError(
        'INVALID_ARGUMENT',
        'accessTokens.update needs label or isActive',
        uuid,
      );
    return this.#api.run('hub.access_tokens.update', {}, async () => {
      const what = `update access token ${uuid}`;
      const res = await this.#api.expect(
        {
          method: 'PATCH',
          url: this.#api.url(`v2/access-tokens/${uuid}`),
          operation: 'hub.access_tokens.update',
          what,
          auth: 'required',
          signal: options.signal,
          idempotent: true,
          body: {
            ...(options.label === undefined ? {} : { token_label: options.label }),
            ...(options.isActive === undefined ? {} : { is_active: options.isActive }),
          },
        },
        [200],
      );
      return takeSecret(await this.#api.parse(res, HubAccessTokenSchema, what)).details;
    });
  }

  /**
   * Deletes a personal access token for good (`DELETE /v2/access-tokens/{uuid}`).
   * @param uuid - its id
   * @param options - signal
   * @returns when deleted
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError}
   */
  async delete(uuid: string, options: CallOptions = {}): Promise<void> {
    checkUuid(uuid);
    await this.#api.run('hub.access_tokens.delete', {}, async () => {
      const res = await this.#api.expect(
        {
          method: 'DELETE',
          url: this.#api.url(`v2/access-tokens/${uuid}`),
          operation: 'hub.access_tokens.delete',
          what: `delete access token ${uuid}`,
          auth: 'required',
          signal: options.signal,
        },
        [200, 202, 204],
      );
      await res.dump();
    });
  }
}
