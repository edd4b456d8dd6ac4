import * as z from 'zod';
import { REPOSITORY_MAX_LENGTH, REPOSITORY_PATTERN, TAG_PATTERN } from './patterns.js';

const shortText = z.string().max(1024);

/**
 * `push_data` of a Docker Hub push: when, who and which tag. Unknown fields are kept.
 * `pushed_at` is unix seconds and older payloads render it as a float (registry-api.md 7.2).
 * @public
 */
export const DockerHubPushDataSchema = z.looseObject({
  pushed_at: z.number().nonnegative(),
  pusher: shortText,
  tag: z.string().regex(TAG_PATTERN, 'tag must match [\\w][\\w.-]{0,127}'),
  images: z.array(shortText).max(10_000).optional(),
  media_type: shortText.optional(),
});

/**
 * `repository` of a Docker Hub push. `repo_name`, `namespace` and `name` identify the repository;
 * every other field is optional because Docker Hub has changed them over time. Unknown fields are kept.
 * @public
 */
export const DockerHubRepositorySchema = z.looseObject({
  repo_name: z
    .string()
    .max(REPOSITORY_MAX_LENGTH)
    .regex(REPOSITORY_PATTERN, 'repo_name must be a lowercase repository path'),
  namespace: shortText,
  name: shortText,
  owner: shortText.optional(),
  is_private: z.boolean().optional(),
  is_official: z.boolean().optional(),
  is_trusted: z.boolean().optional(),
  status: shortText.optional(),
  star_count: z.number().int().nonnegative().optional(),
  comment_count: z.number().int().nonnegative().optional(),
  repo_url: shortText.optional(),
  date_created: z.number().nonnegative().optional(),
  description: z.string().optional(),
  full_description: z.string().optional(),
  dockerfile: z.string().optional(),
});

/**
 * The JSON body Docker Hub POSTs to a webhook URL after a push (its only event). `callback_url` is a
 * legacy field Docker no longer honours: it is parsed and exposed, never requested.
 * @example
 * ```ts
 * const payload = DockerHubPushPayloadSchema.parse(JSON.parse(body));
 * payload.push_data.tag; // 'latest'
 * ```
 * @public
 */
export const DockerHubPushPayloadSchema = z.looseObject({
  callback_url: z.string().max(2048).optional(),
  push_data: DockerHubPushDataSchema,
  repository: DockerHubRepositorySchema,
});

/** A parsed Docker Hub push payload. @public */
export type DockerHubPushPayload = z.infer<typeof DockerHubPushPayloadSchema>;
