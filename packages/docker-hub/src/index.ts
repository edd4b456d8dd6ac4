/**
 * `@llmdevops/docker-hub`: the whole toolkit in one package. Re-exports `core` (references,
 * digests, manifests, platforms, errors, `Secret`), `transport`, `auth`, `services`
 * (`DockerHubClient`, configuration) and `webhooks`. No code of its own.
 * @packageDocumentation
 * @module @llmdevops/docker-hub
 */
export * from '@llmdevops/docker-hub-core';
export * from '@llmdevops/docker-hub-transport';
export * from '@llmdevops/docker-hub-auth';
export * from '@llmdevops/docker-hub-services';
export * from '@llmdevops/docker-hub-webhooks';
