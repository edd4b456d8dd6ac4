import { type TaggedPushEvent } from '../registry/context.js';
import { type RepositoryRecord } from '../registry/state.js';

/**
 * Docker Hub's push webhook payload for one tagged push (registry-api.md section 7.2).
 * @param event - the push
 * @param repo - the repository record
 * @param hubUrl - base URL for `repo_url` and `callback_url`
 * @returns the payload object
 * @internal
 */
export function pushPayload(
  event: TaggedPushEvent,
  repo: RepositoryRecord | undefined,
  hubUrl: string,
  now: number,
): Record<string, unknown> {
  const slash = event.repository.indexOf('/');
  const namespace = slash < 0 ? 'library' : event.repository.slice(0, slash);
  const name = slash < 0 ? event.repository : event.repository.slice(slash + 1);
  return {
    callback_url: `${hubUrl}/u/${namespace}/${name}/hook/${event.digest.slice(7, 39)}/`,
    push_data: { pushed_at: Math.floor(now / 1000), pusher: event.pusher ?? '', tag: event.tag },
    repository: {
      comment_count: 0,
      date_created: Math.floor((repo?.createdAt ?? now) / 1000),
      description: repo?.description ?? '',
      dockerfile: '',
      full_description: '',
      is_official: namespace === 'library',
      is_private: repo?.isPrivate ?? false,
      is_trusted: false,
      name,
      namespace,
      owner: namespace,
      repo_name: `${namespace}/${name}`,
      repo_url: `${hubUrl}/r/${namespace}/${name}`,
      star_count: 0,
      status: 'Active',
    },
  };
}
