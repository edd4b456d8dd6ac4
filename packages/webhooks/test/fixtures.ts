import { readFileSync } from 'node:fs';

/** Names of the sample payloads in fixtures/webhooks/. */
export type FixtureName =
  | 'dockerhub-push'
  | 'distribution-push-blob'
  | 'distribution-push-manifest'
  | 'distribution-pull-manifest'
  | 'distribution-mount-blob'
  | 'distribution-delete-manifest'
  | 'distribution-delete-tag';

/** Reads a fixture's exact bytes as text. */
export function fixture(name: FixtureName): string {
  return readFileSync(new URL(`../../../fixtures/webhooks/${name}.json`, import.meta.url), 'utf8');
}

/** The media type each fixture was (or would be) delivered with. */
export function mediaTypeOf(name: FixtureName): string {
  return name.startsWith('distribution')
    ? 'application/vnd.docker.distribution.events.v1+json'
    : 'application/json';
}

/** A Docker Hub payload open to mutation in tests. */
export interface DockerHubDraft {
  push_data: Record<string, unknown>;
  repository: Record<string, unknown>;
  [key: string]: unknown;
}

/** Builds a Docker Hub push body from the docs example with overrides applied to a copy. */
export function dockerHubBody(mutate?: (payload: DockerHubDraft) => unknown): string {
  const payload = JSON.parse(fixture('dockerhub-push')) as DockerHubDraft;
  mutate?.(payload);
  return JSON.stringify(payload);
}
