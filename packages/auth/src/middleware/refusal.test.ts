import {
  AuthenticationError,
  AuthorizationError,
  type DockerHubError,
  RegistryError,
} from '@llmdevops/docker-hub-core';
import type { TransportRequest, TransportResponse } from '@llmdevops/docker-hub-transport';
import { describe, expect, it } from 'vitest';
import { type AuthChallenge } from '../challenge/parse-www-authenticate.js';
import { ANONYMOUS, toCredential } from '../credentials/types.js';
import { refusalError } from './refusal.js';

const BODY = JSON.stringify({
  errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }],
});

function response(text = BODY): TransportResponse {
  return { text: async () => Promise.resolve(text) } as unknown as TransportResponse;
}

const req: TransportRequest = {
  method: 'GET',
  url: new URL('https://r.test:5000/v2/a/manifests/x'),
  headers: {},
};

function bearer(params: Record<string, string> = {}): AuthChallenge {
  return { scheme: 'bearer', params: { realm: 'https://t.test/token', ...params } };
}

/** The registry error entries the error carries (it must be a RegistryError to carry any). */
function entries(error: DockerHubError): RegistryError['registryErrors'] {
  if (!(error instanceof RegistryError)) throw new Error(`not a RegistryError: ${error.name}`);
  return error.registryErrors;
}

const alice = toCredential({ username: 'alice', password: 'pw' }, 'docker-config');

describe('refusalError', () => {
  it('says why no retry happened, with the challenged scope and the registry errors', async () => {
    const error = await refusalError(response(), req, {
      challenge: bearer({ scope: 'repository:a:pull' }),
      credential: alice,
      why: 'the body is one-shot',
    });
    expect(error.constructor).toBe(AuthenticationError);
    expect(error.message).toBe(
      'r.test:5000: authentication required for repository:a:pull, but the body is one-shot',
    );
    expect(error.status).toBe(401);
    expect(entries(error).map((e) => e.code)).toEqual(['UNAUTHORIZED']);
  });

  it('leaves the scope out of the message when the challenge named none', async () => {
    const error = await refusalError(response(), req, {
      challenge: bearer(),
      credential: alice,
      why: 'no credentials',
    });
    expect(error.message).toBe('r.test:5000: authentication required, but no credentials');
  });

  it('reports anonymous access refused, with or without an anonymous credential', async () => {
    for (const credential of [undefined, ANONYMOUS]) {
      const error = await refusalError(response(), req, {
        challenge: bearer({ scope: 'repository:a:pull', error: 'insufficient_scope' }),
        credential,
      });
      expect(error.constructor).toBe(AuthenticationError);
      expect(error.message).toBe(
        'r.test:5000: anonymous access refused for repository:a:pull (the repository is private, does not exist, or needs credentials; none are configured for r.test:5000)',
      );
      expect(error.status).toBe(401);
      expect(entries(error)).toHaveLength(1);
    }
  });

  it('gives an AuthorizationError naming the account for insufficient_scope with credentials', async () => {
    const error = await refusalError(response(), req, {
      challenge: bearer({ scope: 'repository:a:push', error: 'insufficient_scope' }),
      credential: alice,
    });
    expect(error.constructor).toBe(AuthorizationError);
    expect(error.message).toBe(
      'r.test:5000: the credentials of "alice" (from docker-config) do not grant access for repository:a:push',
    );
    expect(error.status).toBe(401);
  });

  it('names the account whose credentials were refused, or "the configured token" without one', async () => {
    const named = await refusalError(response(), req, {
      challenge: bearer({ error: 'invalid_token' }),
      credential: alice,
    });
    expect(named.constructor).toBe(AuthenticationError);
    expect(named.message).toBe(
      'r.test:5000: the credentials of "alice" (from docker-config) were refused',
    );
    expect(entries(named).map((e) => e.message)).toEqual(['authentication required']);
    const token = await refusalError(response(''), req, {
      challenge: bearer({ scope: 'repository:a:pull' }),
      credential: toCredential({ identityToken: 'idt' }, 'credential-helper'),
    });
    expect(token.message).toBe(
      'r.test:5000: the configured token (from credential-helper) were refused for repository:a:pull',
    );
    expect(entries(token)).toEqual([]);
    expect(token.status).toBe(401);
  });
});
