/**
 * `@llmdevops/docker-hub-services`: `DockerHubClient` with manifests, tags, blobs and whole-image
 * pull/push/copy, and its configuration.
 * @packageDocumentation
 */
export { DockerHubConfig, type FromFileOptions } from './config/docker-hub-config.js';
export { DockerHubConfigBuilder } from './config/builder.js';
export { parseConfig, isResolvedConfig, type ParseConfigOptions } from './config/parse-config.js';
export { DockerHubConfigSchema, type DockerHubConfigInput, type ResolvedDockerHubConfig } from './config/schema.js';
