import { type DockerHubPushPayload } from '../schemas/docker-hub-push.js';
import { type DistributionEvent } from '../schemas/distribution-envelope.js';

/** What happened to the content. Docker Hub only reports `push`. @public */
export type WebhookAction = 'push' | 'pull' | 'mount' | 'delete';

/** Which kind of sender delivered an event. @public */
export type WebhookSource = 'dockerhub' | 'distribution';

/** Fields every normalized event has, whatever its sender. @public */
export interface WebhookEventCommon {
  /** Distribution's event id, or `sha256:<hex>` of the Docker Hub body (also the dedupe key). */
  readonly id: string;
  /** Repository path, e.g. `svendowideit/testhook` or `demo/app`. */
  readonly repository: string;
  /** The tag, when the event names one. */
  readonly tag: string | undefined;
  /** The content digest: from the payload, else the one `confirm` returned, else undefined. */
  readonly digest: string | undefined;
  /** The digest `confirm` found in the registry (undefined when `confirm` did not run). */
  readonly confirmedDigest: string | undefined;
  /** When the sender says the event happened. */
  readonly timestamp: Date | undefined;
}

/** A Docker Hub push. @public */
export interface DockerHubPushEvent extends WebhookEventCommon {
  readonly source: 'dockerhub';
  readonly action: 'push';
  /** Docker ID of whoever pushed. */
  readonly pusher: string;
  /** The legacy `callback_url`, parsed. This package never requests it; neither should you. */
  readonly callbackUrl: URL | undefined;
  /** The validated payload as received (unknown fields kept). */
  readonly raw: DockerHubPushPayload;
}

/** A distribution notification event for one action. @public */
export interface DistributionWebhookEvent<
  TAction extends WebhookAction = WebhookAction,
> extends WebhookEventCommon {
  readonly source: 'distribution';
  readonly action: TAction;
  /** Media type of the target (a manifest type, or `application/octet-stream` for blobs). */
  readonly mediaType: string | undefined;
  /** Size of the target in bytes. */
  readonly size: number | undefined;
  /** For `mount`: the repository the blob was mounted from. */
  readonly fromRepository: string | undefined;
  /** The user the registry authenticated, if any. */
  readonly actor: string | undefined;
  /** The validated event as received (unknown fields kept). */
  readonly raw: DistributionEvent;
}

/** Any normalized event; narrow on `action` and `source`. @public */
export type WebhookEvent =
  | DockerHubPushEvent
  | DistributionWebhookEvent<'push'>
  | DistributionWebhookEvent<'pull'>
  | DistributionWebhookEvent<'mount'>
  | DistributionWebhookEvent<'delete'>;

/** A push from either sender. @public */
export type WebhookPushEvent = DockerHubPushEvent | DistributionWebhookEvent<'push'>;

/** Event types listeners receive, by name; `*` receives every event. @public */
export interface WebhookEventMap {
  push: WebhookPushEvent;
  pull: DistributionWebhookEvent<'pull'>;
  mount: DistributionWebhookEvent<'mount'>;
  delete: DistributionWebhookEvent<'delete'>;
  '*': WebhookEvent;
}

/** A name `on()` accepts. @public */
export type WebhookEventName = keyof WebhookEventMap;

function parseTimestamp(value: string): Date | undefined {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Normalizes a validated Docker Hub push payload.
 * @param raw - the validated payload
 * @param context - the event id and the parsed callback URL
 * @returns the event
 * @internal
 */
export function fromDockerHub(
  raw: DockerHubPushPayload,
  context: { id: string; callbackUrl: URL | undefined },
): DockerHubPushEvent {
  return {
    id: context.id,
    source: 'dockerhub',
    action: 'push',
    repository: raw.repository.repo_name,
    tag: raw.push_data.tag,
    digest: undefined,
    confirmedDigest: undefined,
    timestamp: new Date(raw.push_data.pushed_at * 1000),
    pusher: raw.push_data.pusher,
    callbackUrl: context.callbackUrl,
    raw,
  };
}

/**
 * Normalizes one validated distribution event.
 * @param raw - the validated event
 * @returns the event
 * @internal
 */
export function fromDistribution(raw: DistributionEvent): WebhookEvent {
  const common = {
    id: raw.id,
    source: 'distribution' as const,
    repository: raw.target.repository,
    tag: raw.target.tag,
    digest: raw.target.digest,
    confirmedDigest: undefined,
    timestamp: parseTimestamp(raw.timestamp),
    mediaType: raw.target.mediaType,
    size: raw.target.size ?? raw.target.length,
    fromRepository: raw.target.fromRepository,
    actor: raw.actor?.name,
    raw,
  };
  // One branch per action keeps the union discriminated without a cast.
  switch (raw.action) {
    case 'push':
      return { ...common, action: 'push' };
    case 'pull':
      return { ...common, action: 'pull' };
    case 'mount':
      return { ...common, action: 'mount' };
    case 'delete':
      return { ...common, action: 'delete' };
  }
}
