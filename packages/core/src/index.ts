/**
 * `@llmdevops/docker-hub-core`: image references, digests, validation, media types, manifests,
 * platforms, the toolkit's error hierarchy and the `Secret` type. No I/O.
 * @packageDocumentation
 */
export * from './errors/index.js';
export { Secret } from './secret/secret.js';
