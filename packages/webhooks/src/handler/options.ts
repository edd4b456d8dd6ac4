import {
  ConfigError,
  optionCheck as check,
  Secret,
  validateOptions,
  type Clock,
  type ConfigIssue,
  type OptionCheck,
  type OptionRules,
} from '@llmdevops/docker-hub-core';
import { DEFAULT_JSON_LIMITS, type JsonLimits } from '../schemas/parse-json.js';
import { SIGNATURE_HEADER } from '../verify/signature.js';
import { DEFAULT_SECRET_NAMES, type SharedSecretLocation } from '../verify/shared-secret.js';
import { DEFAULT_DEDUPE_WINDOW_MS, type DedupeStore } from './dedupe-window.js';
import { type WebhookEvent, type WebhookPushEvent } from './events.js';
import { type WebhookErrorHandler } from './listener-registry.js';

/** One secret, or several accepted at once while rotating. @public */
export type SecretInput = Secret | string | readonly (Secret | string)[];

/** How the shared secret is presented by the sender. @public */
export interface SharedSecretOptions {
  /** Accepted secrets; strings are wrapped in a {@link Secret}. */
  readonly secrets: SecretInput;
  /** Where the sender puts it (default `query`). Docker Hub can only use `query` or `path`. */
  readonly from?: SharedSecretLocation;
  /** Query parameter (default `token`) or header name (default `x-webhook-token`). */
  readonly name?: string;
}

/** HMAC body signatures, for senders that sign (our simulator, a proxy in front of a registry). @public */
export interface SignatureOptions {
  /** Accepted signing secrets. */
  readonly secrets: SecretInput;
  /** Header carrying `sha256=<hex>` (default `x-hub-signature-256`). */
  readonly header?: string;
}

/** What `confirm` receives besides the event. @public */
export interface ConfirmContext {
  /** Aborted when `confirmTimeoutMs` passes; hand it to the HEAD request. */
  readonly signal: AbortSignal;
}

/** Options of {@link createWebhooks}. @public */
export interface WebhooksOptions {
  /** Largest body accepted, checked from `Content-Length` and while reading (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Shared secret in the URL or a header, compared in constant time. */
  readonly sharedSecret?: SharedSecretOptions;
  /** Required HMAC signature of the raw body. */
  readonly signature?: SignatureOptions;
  /** IP addresses and CIDR ranges allowed to deliver; others get 403. */
  readonly allowSources?: readonly string[];
  /** How long a delivery id (or body hash) is remembered to drop redeliveries (default 10 min; 0 off). */
  readonly dedupeWindowMs?: number;
  /**
   * A store shared with other receivers (see {@link createDedupeStore}), so that a delivery
   * accepted by one is a duplicate for all; replaces `dedupeWindowMs` and `clock`, which must then
   * be left out.
   */
  readonly dedupe?: DedupeStore;
  /** `before-listeners` (default): answer 200 then run listeners; `after-listeners`: run them first. */
  readonly ack?: 'before-listeners' | 'after-listeners';
  /**
   * Hand accepted events to a durable queue instead of running listeners; 200 follows its success.
   * When it rejects, the sender gets 503 with `Retry-After` and its retry is processed.
   */
  readonly queue?: (events: readonly WebhookEvent[]) => Promise<void>;
  /** `Retry-After` seconds sent with the 503 when `queue` rejects (default 10). */
  readonly queueRetryAfterSeconds?: number;
  /** Confirms a push against the registry (e.g. HEAD on the tag); failure rejects it with 422. */
  readonly confirm?: (
    event: WebhookPushEvent,
    context: ConfirmContext,
  ) => Promise<{ digest: string }>;
  /** Time allowed to `confirm` (default 10 s). */
  readonly confirmTimeoutMs?: number;
  /** Receives listener failures (more can be added with `onError`). */
  readonly onError?: WebhookErrorHandler;
  /** Nesting and string limits applied before the schema. */
  readonly limits?: Partial<JsonLimits>;
  /** Accept a `callback_url` naming a loopback or private host (simulators); default false. */
  readonly allowNonPublicCallbackUrl?: boolean;
  /** Clock for the dedupe window (default the system clock). */
  readonly clock?: Pick<Clock, 'now'>;
}

/** Options after defaults and validation. @internal */
export interface ResolvedOptions {
  readonly maxBodyBytes: number;
  readonly sharedSecret:
    { secrets: readonly Secret[]; from: SharedSecretLocation; name: string } | undefined;
  readonly signature: { secrets: readonly Secret[]; header: string } | undefined;
  readonly dedupeWindowMs: number;
  readonly queueRetryAfterSeconds: number;
  readonly confirmTimeoutMs: number;
  readonly limits: JsonLimits;
}

const toSecrets = (input: SecretInput): Secret[] =>
  (Array.isArray(input) ? (input as readonly (Secret | string)[]) : [input as Secret | string]).map(
    (s) => Secret.from(s),
  );

function checkNumber(issues: ConfigIssue[], path: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min)
    issues.push({ path, message: `must be an integer >= ${min}` });
  return value;
}

const isSecret = (v: unknown): boolean =>
  typeof v === 'string' || v instanceof Secret || (typeof v === 'object' && v !== null && typeof (v as { reveal?: unknown }).reveal === 'function');

const secretInput: OptionCheck = check.anyOf(
  'must be a Secret, a string, or an array of them',
  check.that(isSecret, ''),
  check.array(check.that(isSecret, '')),
);

// Types and keys only; ranges and secrets are checked below, so every such problem is listed at once.
const RULES: OptionRules<WebhooksOptions> = {
  maxBodyBytes: check.number(),
  sharedSecret: check.shape<SharedSecretOptions>({
    secrets: secretInput,
    from: check.oneOf(['query', 'header', 'path']),
    name: check.string(),
  }),
  signature: check.shape<SignatureOptions>({ secrets: secretInput, header: check.string() }),
  allowSources: check.array(check.string()),
  dedupeWindowMs: check.number(),
  dedupe: check.object(),
  ack: check.oneOf(['before-listeners', 'after-listeners']),
  queue: check.function(),
  queueRetryAfterSeconds: check.number(),
  confirm: check.function(),
  confirmTimeoutMs: check.number(),
  onError: check.function(),
  limits: check.shape<Partial<JsonLimits>>({ maxDepth: check.number(), maxStringLength: check.number() }),
  allowNonPublicCallbackUrl: check.boolean(),
  clock: check.clock({ sleep: false }),
};

/**
 * Applies defaults and validates keys, types, numbers and secrets.
 * @param options - what the caller passed
 * @returns resolved options
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming unknown keys and wrong types, else listing every bad value (never a secret value)
 * @internal
 */
export function resolveOptions(options: WebhooksOptions): ResolvedOptions {
  validateOptions('createWebhooks options', options, RULES);
  const issues: ConfigIssue[] = [];
  const num = (path: string, value: number | undefined, fallback: number, min: number): number =>
    checkNumber(issues, path, value ?? fallback, min);
  const shared = options.sharedSecret;
  const from = shared?.from ?? 'query';
  const sharedSecrets = shared === undefined ? [] : toSecrets(shared.secrets);
  const signatureSecrets =
    options.signature === undefined ? [] : toSecrets(options.signature.secrets);
  if (shared !== undefined && sharedSecrets.every((s) => s.byteLength === 0))
    issues.push({
      path: 'sharedSecret.secrets',
      message: 'must hold at least one non-empty secret',
    });
  if (options.signature !== undefined && signatureSecrets.every((s) => s.byteLength === 0))
    issues.push({ path: 'signature.secrets', message: 'must hold at least one non-empty secret' });
  if (
    options.dedupe !== undefined &&
    (options.dedupeWindowMs !== undefined || options.clock !== undefined)
  )
    issues.push({
      path: 'dedupe',
      message: 'a shared store has its own window and clock: leave out dedupeWindowMs and clock',
    });
  const resolved: ResolvedOptions = {
    maxBodyBytes: num('maxBodyBytes', options.maxBodyBytes, 1024 * 1024, 1),
    sharedSecret:
      shared === undefined
        ? undefined
        : {
            secrets: sharedSecrets.filter((s) => s.byteLength > 0),
            from,
            // Header names are case-insensitive; query parameter names are not.
            name:
              from === 'header'
                ? (shared.name ?? DEFAULT_SECRET_NAMES.header).toLowerCase()
                : (shared.name ?? DEFAULT_SECRET_NAMES.query),
          },
    signature:
      options.signature === undefined
        ? undefined
        : {
            secrets: signatureSecrets.filter((s) => s.byteLength > 0),
            header: (options.signature.header ?? SIGNATURE_HEADER).toLowerCase(),
          },
    dedupeWindowMs: num('dedupeWindowMs', options.dedupeWindowMs, DEFAULT_DEDUPE_WINDOW_MS, 0),
    queueRetryAfterSeconds: num('queueRetryAfterSeconds', options.queueRetryAfterSeconds, 10, 0),
    confirmTimeoutMs: num('confirmTimeoutMs', options.confirmTimeoutMs, 10_000, 1),
    limits: {
      maxDepth: num('limits.maxDepth', options.limits?.maxDepth, DEFAULT_JSON_LIMITS.maxDepth, 2),
      maxStringLength: num(
        'limits.maxStringLength',
        options.limits?.maxStringLength,
        DEFAULT_JSON_LIMITS.maxStringLength,
        1,
      ),
    },
  };
  if (issues.length > 0) throw new ConfigError(issues);
  return resolved;
}
