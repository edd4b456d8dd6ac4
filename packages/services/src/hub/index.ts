export type { HubContext, HubServiceOptions } from './hub-api.js';
export { HubRateLimitTracker } from './hub-rate-limit.js';
export {
  RepositoriesService,
  type RepositoryOrdering,
  type HubPageOptions,
  type ListRepositoriesOptions,
  type SearchOptions,
} from './repositories-service.js';
export { HubTagsService, type TagOrdering, type ListHubTagsOptions } from './hub-tags-service.js';
export type { HubRepository, HubTag, HubTagImage, HubSearchResult } from './hub-schemas.js';
