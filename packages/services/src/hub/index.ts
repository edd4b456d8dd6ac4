export type { HubContext, HubServiceOptions } from './hub-api.js';
export { HubRateLimitTracker } from './hub-rate-limit.js';
export type { AccessTokensService } from './access-tokens-service.js';
export {
  ACCESS_TOKEN_SCOPES,
  type AccessTokenScope,
  type CreateAccessTokenOptions,
  type UpdateAccessTokenOptions,
  type CreatedAccessToken,
} from './access-tokens-service.js';
export type { OrgsService } from './orgs-service.js';
export type {
  OrgTokenResource,
  CreateOrgAccessTokenOptions,
  UpdateOrgAccessTokenOptions,
  CreatedOrgAccessToken,
} from './orgs-service.js';
export type { RepositoriesService } from './repositories-service.js';
export {
  HUB_DESCRIPTION_MAX_CHARS,
  HUB_FULL_DESCRIPTION_MAX_CHARS,
  type CreateRepositoryOptions,
  type UpdateRepositoryOptions,
  type RepositoryOrdering,
  type HubPageOptions,
  type ListRepositoriesOptions,
  type SearchOptions,
} from './repositories-service.js';
export type { HubTagsService, TagOrdering, ListHubTagsOptions } from './hub-tags-service.js';
export type {
  HubRepository,
  HubTag,
  HubTagImage,
  HubSearchResult,
  HubAccessToken,
  HubOrgAccessToken,
  HubMember,
  HubGroup,
} from './hub-schemas.js';
