export {
  type RateLimitService,
  RATE_LIMIT_PROBE_REPOSITORY,
  type PullRateLimit,
  type CheckRateLimitOptions,
  type RateLimitServiceOptions,
} from './check-rate-limit.js';
