import { describe, expect, it } from 'vitest';
import { fixture, type DockerHubDraft } from '../../test/fixtures.js';
import { DistributionEnvelopeSchema } from './distribution-envelope.js';
import { DockerHubPushPayloadSchema } from './docker-hub-push.js';

describe('DockerHubPushPayloadSchema', () => {
  it('accepts the documented example and keeps unknown fields', () => {
    const parsed = DockerHubPushPayloadSchema.parse({
      ...JSON.parse(fixture('dockerhub-push')),
      future_field: { x: 1 },
    });
    expect(parsed.push_data.tag).toBe('latest');
    expect(parsed.repository.repo_name).toBe('svendowideit/testhook');
    expect(parsed['future_field']).toEqual({ x: 1 });
  });

  it('accepts older shapes: float timestamps, images, media_type', () => {
    const payload = JSON.parse(fixture('dockerhub-push'));
    payload.push_data = {
      ...payload.push_data,
      pushed_at: 1.417566822e9,
      images: ['abc'],
      media_type: 'x',
    };
    expect(DockerHubPushPayloadSchema.safeParse(payload).success).toBe(true);
  });

  it.each([
    ['tag of the wrong type', (p: DockerHubDraft) => (p.push_data['tag'] = 7)],
    ['tag with a slash', (p: DockerHubDraft) => (p.push_data['tag'] = '../etc')],
    ['missing repository', (p: DockerHubDraft) => Reflect.deleteProperty(p, 'repository')],
    ['upper-case repo_name', (p: DockerHubDraft) => (p.repository['repo_name'] = 'Evil/Repo')],
    ['string pushed_at', (p: DockerHubDraft) => (p.push_data['pushed_at'] = 'yesterday')],
  ])('rejects %s', (_label, mutate) => {
    const payload = JSON.parse(fixture('dockerhub-push')) as DockerHubDraft;
    mutate(payload);
    expect(DockerHubPushPayloadSchema.safeParse(payload).success).toBe(false);
  });
});

describe('DistributionEnvelopeSchema', () => {
  it.each([
    ['distribution-push-blob', 'push'],
    ['distribution-push-manifest', 'push'],
    ['distribution-pull-manifest', 'pull'],
    ['distribution-mount-blob', 'mount'],
    ['distribution-delete-manifest', 'delete'],
    ['distribution-delete-tag', 'delete'],
  ] as const)('accepts the real %s envelope', (name, action) => {
    const parsed = DistributionEnvelopeSchema.parse(JSON.parse(fixture(name)));
    expect(parsed.events[0]?.action).toBe(action);
  });

  it('rejects unknown actions, empty envelopes and bad digests', () => {
    const envelope = JSON.parse(fixture('distribution-push-manifest'));
    expect(DistributionEnvelopeSchema.safeParse({ events: [] }).success).toBe(false);
    envelope.events[0].action = 'explode';
    expect(DistributionEnvelopeSchema.safeParse(envelope).success).toBe(false);
    envelope.events[0].action = 'push';
    envelope.events[0].target.digest = 'not a digest';
    expect(DistributionEnvelopeSchema.safeParse(envelope).success).toBe(false);
  });
});
