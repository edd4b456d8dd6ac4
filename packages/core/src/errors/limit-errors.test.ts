import { describe, expect, it } from 'vitest';
import { DockerHubError, LimitExceededError, isDockerHubError } from './index.js';

describe('LimitExceededError', () => {
  it('names the cap and its value, and is not retryable', () => {
    const err = new LimitExceededError('maxDepth', 8, 'manifests of r:1');
    expect(err).toBeInstanceOf(DockerHubError);
    expect(isDockerHubError(err)).toBe(true);
    expect(err.code).toBe('LIMIT_EXCEEDED');
    expect(err.limit).toBe('maxDepth');
    expect(err.max).toBe(8);
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('manifests of r:1: over the limit maxDepth = 8');
    expect(err.toJSON()).toMatchObject({ name: 'LimitExceededError', code: 'LIMIT_EXCEEDED' });
  });
});
