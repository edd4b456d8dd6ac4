export {
  ERROR_CODES,
  REGISTRY_CODES,
  isDockerHubErrorCode,
  type DockerHubErrorCode,
} from './codes.js';
export {
  DockerHubError,
  isDockerHubError,
  type DockerHubErrorOptions,
  type DockerHubErrorJSON,
} from './docker-hub-error.js';
export {
  ValidationError,
  InvalidReferenceError,
  InvalidDigestError,
  ManifestInvalidError,
  PayloadTooLargeError,
  ConfigError,
  PlatformNotFoundError,
  type ValidationErrorCode,
  type ConfigIssue,
} from './validation-errors.js';
export { DigestMismatchError, SizeMismatchError } from './integrity-errors.js';
export { LimitExceededError } from './limit-errors.js';
export {
  RegistryError,
  AuthenticationError,
  AuthorizationError,
  NotFoundError,
  ServerError,
  UnsupportedError,
  RateLimitError,
  type RegistryErrorDetail,
  type HttpErrorOptions,
  type RateLimitErrorOptions,
} from './http-errors.js';
export {
  NetworkError,
  TimeoutError,
  AbortedError,
  CircuitOpenError,
  InsecureTransportError,
  RedirectError,
  type TimeoutPhase,
} from './transport-errors.js';
export {
  WebhookError,
  CassetteMissError,
  CassetteInvalidError,
  type WebhookErrorStatus,
} from './other-errors.js';
