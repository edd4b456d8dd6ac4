import { optionCheck as check, type OptionCheck, type OptionRules } from '@llmdevops/docker-hub-core';
import type { HubLoginOptions } from '../hub/hub-login.js';
import type { AuthMiddlewareOptions } from '../middleware/auth-middleware.js';

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;

/** A `Secret` (anything with `reveal()`, so duplicate installs of core still pass) or a string. */
const secretOrString: OptionCheck = check.that(
  (v) => typeof v === 'string' || (isObject(v) && typeof (v as { reveal?: unknown }).reveal === 'function'),
  'must be a Secret or a string',
);

const stringIterable: OptionCheck = check.that(
  (v) =>
    isObject(v) &&
    Symbol.iterator in v &&
    [...(v as Iterable<unknown>)].every((h) => typeof h === 'string'),
  'must be an iterable of host[:port] strings',
);

/** What each option of `createAuthMiddleware` may hold. @internal */
export const AUTH_MIDDLEWARE_RULES: OptionRules<AuthMiddlewareOptions> = {
  credentials: check.that(
    (v) => typeof v === 'function' || isObject(v),
    'must be a credential provider function or a credential object',
  ),
  transportNext: check.function(),
  fetchToken: check.function(),
  clock: check.clock({ sleep: false }),
  cache: check.object(),
  refreshMarginMs: check.number({ min: 0 }),
  clientId: check.string(),
  offlineToken: check.boolean(),
  forceOAuth: check.boolean(),
  insecureHosts: stringIterable,
  hub: check.object(),
  onEvent: check.function(),
};

/** What each option of `createHubLogin` may hold. @internal */
export const HUB_LOGIN_RULES: OptionRules<HubLoginOptions> = {
  hubUrl: check.that((v) => typeof v === 'string' || v instanceof URL, 'must be a URL or a string'),
  identifier: check.string(),
  secret: secretOrString,
  send: check.function(),
  onTwoFactor: check.function(),
  endpoint: check.oneOf(['auto', 'auth-token', 'users-login']),
  renewMarginMs: check.number({ min: 0 }),
  defaultLifetimeMs: check.number({ min: 0 }),
  clock: check.clock({ sleep: false }),
  onEvent: check.function(),
};
