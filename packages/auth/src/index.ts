/**
 * `@llmdevops/docker-hub-auth`: registry challenge parsing, bearer token exchange and scoped token
 * cache, Basic auth, Docker Hub account login (password, PAT, 2FA), and credential sources
 * (explicit, env vars, Docker's `config.json` and credential helpers). Every credential is a
 * core `Secret`.
 * @packageDocumentation
 * @module @llmdevops/docker-hub-auth
 */
export {
  parseWwwAuthenticate,
  selectChallenge,
  type AuthChallenge,
} from './challenge/parse-www-authenticate.js';
export {
  parseTokenResponse,
  MIN_TOKEN_LIFETIME_S,
  type RegistryToken,
} from './token/token-response.js';
export {
  fetchRegistryToken,
  DEFAULT_CLIENT_ID,
  type TokenRequest,
  type TokenClientOptions,
} from './token/token-client.js';
export { readJwtExpiry } from './token/jwt.js';
export { TokenCache, type TokenCacheKey, type TokenCacheOptions } from './cache/token-cache.js';
export {
  toCredential,
  accountOf,
  disposeCredential,
  ANONYMOUS,
  type RegistryCredential,
  type AnonymousCredential,
  type BasicCredential,
  type IdentityTokenCredential,
  type RegistryTokenCredential,
  type CredentialInput,
  type CredentialSource,
} from './credentials/types.js';
export {
  DOCKER_HUB_CONFIG_KEY,
  normalizeRegistryHost,
  isDockerHub,
  credentialKey,
} from './credentials/registry-host.js';
export {
  dockerConfigPath,
  readDockerConfig,
  findConfigKey,
  credentialFromAuthEntry,
  writeDockerConfigAtomic,
  type DockerConfigLocation,
  type DockerConfigFile,
  type DockerAuthEntry,
} from './credentials/docker-config.js';
export {
  credentialHelperGet,
  credentialHelperStore,
  credentialHelperErase,
  type CredentialHelperOptions,
} from './credentials/credential-helper.js';
export {
  resolveCredentials,
  createCredentialProvider,
  type CredentialProvider,
  type CredentialHint,
  type CredentialSourceOptions,
} from './credentials/resolve-credentials.js';
export {
  storeCredentials,
  eraseCredentials,
  type StoreCredentialsOptions,
  type StoredCredential,
} from './credentials/store-credentials.js';
export {
  createHubLogin,
  DOCKER_HUB_URL,
  type HubLoginOptions,
  type HubSession,
  type TwoFactorCallback,
} from './hub/hub-login.js';
export {
  hubErrorFromResponse,
  hubResponseError,
  readHubErrorBody,
  type HubErrorBody,
} from './hub/hub-errors.js';
export { resolveHubLogin, type ResolveHubLoginOptions } from './hub/resolve-hub-login.js';
export { scopesForRequest } from './middleware/request-scopes.js';
export { sendHubRequest, type HubRequestOptions } from './middleware/hub-requests.js';
export { type AuthEvent, type AuthEventListener } from './middleware/auth-events.js';
export {
  createAuthMiddleware,
  type AuthMiddleware,
  type AuthMiddlewareOptions,
  type EnsureFreshOptions,
} from './middleware/auth-middleware.js';
export { verifyRegistryLogin, type VerifyRegistryLoginOptions } from './middleware/verify-login.js';
