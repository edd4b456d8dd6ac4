import * as z from 'zod';
import {
  DIGEST_MAX_LENGTH,
  DIGEST_PATTERN,
  REPOSITORY_MAX_LENGTH,
  REPOSITORY_PATTERN,
  TAG_PATTERN,
} from './patterns.js';

/**
 * Media types of distribution's notification envelope: `v1` (distribution 2.x) and `v2`
 * (distribution 3). The shape is the same.
 * @public
 */
export const DISTRIBUTION_EVENTS_MEDIA_TYPES = [
  'application/vnd.docker.distribution.events.v1+json',
  'application/vnd.docker.distribution.events.v2+json',
] as const;

/** Actions a distribution registry reports. @public */
export const DistributionActionSchema = z.enum(['push', 'pull', 'mount', 'delete']);

const shortText = z.string().max(1024);
const repository = z
  .string()
  .max(REPOSITORY_MAX_LENGTH)
  .regex(REPOSITORY_PATTERN, 'repository must be a lowercase repository path');
const size = z.number().int().nonnegative();

/**
 * What an event is about: a manifest or blob descriptor plus the repository, and the tag for tag
 * events. `delete` events may carry only `repository` and `digest` or `tag`.
 * @public
 */
export const DistributionTargetSchema = z.looseObject({
  mediaType: shortText.optional(),
  size: size.optional(),
  digest: z
    .string()
    .max(DIGEST_MAX_LENGTH)
    .regex(DIGEST_PATTERN, 'digest must be algorithm:encoded')
    .optional(),
  length: size.optional(),
  repository,
  fromRepository: repository.optional(),
  url: z.string().max(4096).optional(),
  tag: z.string().regex(TAG_PATTERN, 'tag must match [\\w][\\w.-]{0,127}').optional(),
});

/** The request that caused an event, as the registry saw it. @public */
export const DistributionRequestSchema = z.looseObject({
  id: shortText.optional(),
  addr: shortText.optional(),
  host: shortText.optional(),
  method: shortText.optional(),
  useragent: shortText.optional(),
});

/** One event of a distribution notification. @public */
export const DistributionEventSchema = z.looseObject({
  id: z.string().min(1).max(256),
  timestamp: z.string().max(64),
  action: DistributionActionSchema,
  target: DistributionTargetSchema,
  request: DistributionRequestSchema.optional(),
  actor: z.looseObject({ name: shortText.optional() }).optional(),
  source: z
    .looseObject({ addr: shortText.optional(), instanceID: shortText.optional() })
    .optional(),
});

/**
 * The body a CNCF distribution registry POSTs to a notification endpoint:
 * `{ "events": [ ... ] }`. Unknown fields are kept.
 * @public
 */
export const DistributionEnvelopeSchema = z.looseObject({
  events: z.array(DistributionEventSchema).min(1).max(10_000),
});

/** One parsed distribution event. @public */
export type DistributionEvent = z.infer<typeof DistributionEventSchema>;
/** A parsed distribution notification envelope. @public */
export type DistributionEnvelope = z.infer<typeof DistributionEnvelopeSchema>;
/** An action a distribution registry reports. @public */
export type DistributionAction = z.infer<typeof DistributionActionSchema>;
