import { type HubApiRateLimitOptions } from '../hub-api/hub-rate-limit.js';
import {
  ConfigError,
  optionCheck as check,
  validateOptions,
  type ConfigIssue,
  type OptionCheck,
  type OptionRules,
} from '@llmdevops/docker-hub-core';
import { type RateLimitOptions } from '../faults/rate-limit.js';
import { PROFILES, type ProfileName, type ProfileRules } from '../profiles/profiles.js';
import { type SimulatorOptions } from './options.js';

const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

/** Each rule override must have the type of the rule's value in the `oci` profile. */
function ruleChecks(): OptionRules<Partial<ProfileRules>> {
  const entries = Object.entries(PROFILES.oci).map(([key, value]): [string, OptionCheck] => {
    const values = [...new Set(PROFILE_NAMES.map((p) => PROFILES[p][key as keyof ProfileRules]))];
    return [
      key,
      typeof value === 'boolean'
        ? check.boolean()
        : check.that(
            (v) => typeof v === 'string',
            `must be a string such as ${values.map((v) => JSON.stringify(v)).join(' or ')}`,
          ),
    ];
  });
  return Object.fromEntries(entries) as OptionRules<Partial<ProfileRules>>;
}

const list = check.array(check.object());

/** What each option of `createSimulator` may hold (types and keys; limits are checked below). */
const RULES: OptionRules<SimulatorOptions> = {
  profile: check.oneOf(PROFILE_NAMES),
  rules: check.shape<Partial<ProfileRules>>(ruleChecks()),
  storage: check.anyOf(
    'must be "memory", { directory } or a BlobStore',
    check.oneOf(['memory']),
    check.object(),
  ),
  auth: check.oneOf(['none', 'basic', 'token']),
  users: list,
  repositories: check.object(),
  tokenExpiresIn: check.number({ min: 1 }),
  tokenRealm: check.string(),
  service: check.string(),
  rateLimits: check.anyOf(
    'must be true, false or { anonymousLimit, authenticatedLimit, windowSeconds }',
    check.boolean(),
    check.shape<RateLimitOptions>({
      anonymousLimit: check.number({ min: 0 }),
      authenticatedLimit: check.number({ min: 0 }),
      windowSeconds: check.number({ min: 0 }),
    }),
  ),
  hubRateLimit: check.anyOf(
    'must be false or { limit, windowSeconds }',
    check.boolean(),
    check.shape<HubApiRateLimitOptions>({
      limit: check.number({ min: 1, integer: true }),
      windowSeconds: check.number({ min: 1 }),
    }),
  ),
  faults: list,
  randomFaults: check.object(),
  clock: check.clock({ sleep: false }),
  maxManifestBytes: check.number(),
  maxApiBodyBytes: check.number(),
  uploadTtlSeconds: check.number(),
  webhooks: list,
  webhookAttempts: check.number({ min: 1, integer: true }),
  hubUrl: check.string(),
};

/**
 * Checks the options of `createSimulator`: unknown keys (a misspelt option fails at once instead of
 * running with defaults), wrong types, unknown profiles and rule names, then the numeric limits.
 * @param options - simulator options
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming every unknown key and wrong type, else each limit that is not a positive number
 * @internal
 */
export function checkSimulatorOptions(options: SimulatorOptions): void {
  validateOptions('createSimulator options', options, RULES);
  const issues: ConfigIssue[] = [];
  const positive = (path: string, value: number | undefined, integer: boolean): void => {
    if (value === undefined) return;
    if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value)))
      issues.push({ path, message: `must be a positive ${integer ? 'integer' : 'number'}` });
  };
  positive('maxManifestBytes', options.maxManifestBytes, true);
  positive('maxApiBodyBytes', options.maxApiBodyBytes, true);
  positive('uploadTtlSeconds', options.uploadTtlSeconds, false);
  if (issues.length > 0) throw new ConfigError(issues, { subject: 'createSimulator options' });
}
