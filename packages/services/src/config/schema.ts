import { Secret } from '@llmdevops/docker-hub-core';
import type { Dispatcher } from 'undici';
import * as z from 'zod';
import { isBudgetUrl } from '../budget/open-budget.js';

/** A string from a file or the environment that holds a number (`"30"`) becomes that number. */
function numeric(inner: z.ZodNumber) {
  return z.preprocess((v, ctx) => {
    if (typeof v !== 'string') return v;
    if (v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    // A value that is no number: say so plainly (not "expected number, received string"); values
    // are never echoed in configuration errors.
    ctx.addIssue({ code: 'custom', message: 'must be a number', input: v });
    return z.NEVER;
  }, inner);
}

/** `"true"` / `"false"` from a file or the environment become booleans. */
const flag = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());

const httpUrl = z
  .string()
  .trim()
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), { error: 'must be an http(s) URL' })
  .transform((s) => s.replace(/\/+$/, ''));

/** Credentials become {@link Secret}s at once, so a parsed configuration holds no plain secrets (C11). */
const secret = z.union([z.string().min(1, 'must not be empty'), z.instanceof(Secret)]).transform((v) => Secret.from(v));

const positiveInt = (fallback: number) =>
  numeric(z.number().int('must be a whole number').positive('must be greater than 0')).default(fallback);

/** One registry's TLS settings (`tls:`); paths or PEM text; the key becomes a `Secret`. */
const tlsEntrySchema = z
  .object({
    certDir: z.string().trim().min(1, 'must not be empty').optional(),
    ca: z.union([z.string().min(1, 'must not be empty'), z.array(z.string().min(1, 'must not be empty'))]).optional(),
    cert: z.string().min(1, 'must not be empty').optional(),
    key: secret.optional(),
  })
  .strict()
  .refine((t) => (t.cert === undefined) === (t.key === undefined), { error: 'cert and key go together', path: ['key'] });

/** A comma-separated list from the environment (`a,b`) becomes an array. */
function commaList(v: unknown): unknown {
  return typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : v;
}

const isDispatcher = (v: unknown): v is Dispatcher =>
  typeof v === 'object' && v !== null && typeof (v as { dispatch?: unknown }).dispatch === 'function';

const authSchema = z
  .object({
    username: z.string().trim().min(1, 'must not be empty').optional(),
    password: secret.optional(),
    accessToken: secret.optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.username === undefined && (a.password !== undefined || a.accessToken !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['username'], message: 'is required when a password or access token is set' });
    }
    if (a.username !== undefined && a.password === undefined && a.accessToken === undefined) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'a password or access token is required with a username' });
    }
  });

const resilienceSchema = z
  .object({
    timeoutSeconds: numeric(z.number().positive('must be greater than 0').max(3600, 'must be at most 3600')).default(60),
    maxRetries: numeric(z.number().int('must be a whole number').min(0, 'must be 0 or more').max(20, 'must be at most 20')).default(3),
    /**
     * Deadline of one operation (a request with its retries and its body, or one retried step
     * such as a manifest read or a whole blob upload), in seconds; 0 turns it off. The default of
     * an hour ends a server that trickles or stalls forever without cutting a multi-GB upload on a
     * slow uplink; lower it where a bound matters more (CI).
     */
    totalTimeoutSeconds: numeric(z.number().min(0, 'must be 0 or more').max(86_400, 'must be at most 86400')).default(3600),
    circuitBreaker: z
      .object({
        failureThreshold: positiveInt(5),
        successThreshold: positiveInt(2),
        resetTimeoutSeconds: numeric(z.number().min(0, 'must be 0 or more')).default(30),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const uploadSchema = z
  .object({
    chunkSizeMb: numeric(z.number().positive('must be greater than 0').max(1024, 'must be at most 1024')).default(5),
    maxConcurrentUploads: positiveInt(5),
    maxConcurrentDownloads: positiveInt(10),
  })
  .strict();

const cacheSchema = z
  .object({
    manifestTtlSeconds: numeric(z.number().min(0, 'must be 0 or more')).default(300),
    tagTtlSeconds: numeric(z.number().min(0, 'must be 0 or more')).default(60),
    enabled: flag.default(true),
  })
  .strict();

const rateLimitSchema = z
  .object({
    lowThreshold: numeric(z.number().int('must be a whole number').min(0, 'must be 0 or more')).default(10),
    trackHeaders: flag.default(true),
  })
  .strict();

/** A shared pull budget (`budget:`); the URL may hold a Redis password, so it becomes a `Secret`. */
const budgetSchema = z
  .object({
    url: z
      .union([z.string().trim().refine(isBudgetUrl, { error: 'must be memory:, file:///PATH, redis://HOST:PORT/DB or rediss://HOST:PORT/DB' }), z.instanceof(Secret)])
      .transform((v) => Secret.from(v))
      // `budget: {}` is a budget of this process alone.
      .prefault('memory:'),
    onExhausted: z.enum(['fail', 'wait']).default('wait'),
    maxWaitSeconds: numeric(z.number().min(0, 'must be 0 or more')).default(600),
    reserve: numeric(z.number().int('must be a whole number').min(0, 'must be 0 or more')).default(0),
    priority: z.enum(['high', 'low']).default('low'),
    fallback: z.enum(['local']).optional(),
    reservationSeconds: numeric(z.number().positive('must be greater than 0').max(3600, 'must be at most 3600')).default(60),
    anonymousKey: z.string().trim().min(1, 'must not be empty').default('anonymous'),
  })
  .strict();

const observabilitySchema = z
  .object({
    traceRequests: flag.default(false),
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    redactCredentials: flag.default(true),
  })
  .strict();

/**
 * The one schema every configuration source goes through. Field names are the
 * camelCase forms of the YAML keys of seed section 4.2.
 * @public
 */
export const DockerHubConfigSchema = z
  .object({
    /** Docker Hub API base URL (`DOCKER_HUB_URL`). */
    hubUrl: httpUrl.default('https://hub.docker.com'),
    /** Registry that serves `docker.io` references (`DOCKER_REGISTRY_URL`); default `https://registry-1.docker.io`. */
    registryUrl: httpUrl.optional(),
    /** Docker Hub token service (`DOCKER_AUTH_URL`). */
    authUrl: httpUrl.default('https://auth.docker.io'),
    auth: authSchema.prefault({}),
    resilience: resilienceSchema.prefault({}),
    upload: uploadSchema.prefault({}),
    cache: cacheSchema.prefault({}),
    rateLimit: rateLimitSchema.prefault({}),
    observability: observabilitySchema.prefault({}),
    /**
     * A pull budget shared by processes or machines (`DOCKER_HUB_BUDGET_URL`): manifest GETs to
     * Docker Hub reserve a pull first; `memory:`, `file:///PATH` or `redis://HOST:PORT/DB`.
     */
    budget: budgetSchema.optional(),
    /**
     * A pool of Docker Hub accounts for pulls (`DOCKER_HUB_ACCOUNTS_FILE`: `NAME:TOKEN` lines):
     * with a `budget`, each manifest pull goes to the account with the most pulls left, or to the
     * account named like the repository's namespace (its owner, for private repositories).
     */
    accounts: z.array(z.object({ username: z.string().trim().min(1, 'must not be empty'), accessToken: secret }).strict()).default([]),
    /** A file of `NAME:TOKEN` lines (`#` comments) adding accounts to `accounts`. */
    accountsFile: z.string().trim().min(1, 'must not be empty').optional(),
    /** Registries (`host` or `host:port`) reached over plain HTTP besides loopback. */
    insecureRegistries: z.array(z.string().trim().min(1, 'must not be empty')).default([]),
    /** The undici dispatcher every request goes through (a simulator's, a proxy agent). */
    dispatcher: z.custom<Dispatcher>(isDispatcher, { error: 'must be an undici Dispatcher' }).optional(),
    /**
     * A forward proxy: `{ url, noProxy }` (HTTPS tunnelled with `CONNECT`; `noProxy` in curl's
     * `NO_PROXY` syntax; the URL, which may hold credentials, becomes a `Secret`), or `false` for
     * none. Left out, the environment's `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` apply.
     */
    proxy: z.union([z.literal(false), z.object({ url: secret, noProxy: z.string().optional() }).strict()]).optional(),
    /**
     * TLS settings per registry (`host[:port]`): `certDir` (a folder holding `ca.crt`,
     * `client.cert`, `client.key`), `ca` (PEM or file paths, added to the system roots), `cert`
     * and `key` (a client certificate for mutual TLS, PEM or file paths; the key becomes a
     * `Secret`). A registry without an entry uses the first `certs.d/HOST[:PORT]/` folder found
     * (`$DOCKER_CONFIG/certs.d`, `~/.config/containers/certs.d`, `/etc/containers/certs.d`,
     * `/etc/docker/certs.d`). A registry with TLS settings is reached over HTTPS only.
     */
    tls: z.record(z.string().trim().min(1, 'must not be empty'), tlsEntrySchema).default({}),
    /**
     * Pull mirrors per registry (`DOCKER_REGISTRY_MIRRORS` for `docker.io`): manifest and blob
     * GETs try each mirror in order and fall back to the next, then to the registry itself, on a
     * connection failure, a 5xx or a 404; pushes and everything else go to the registry.
     */
    mirrors: z.record(z.string().trim().min(1, 'must not be empty'), z.preprocess(commaList, z.array(httpUrl))).default({}),
  })
  .strict();

/** What every configuration source accepts (a plain object, camelCase). @public */
export type DockerHubConfigInput = z.input<typeof DockerHubConfigSchema>;

/** A validated configuration with every default applied; credentials are `Secret`s. @public */
export type ResolvedDockerHubConfig = z.output<typeof DockerHubConfigSchema>;
