import {
  AuthenticationError,
  AuthorizationError,
  type DockerHubError,
  parseRegistryErrors,
} from '@llmdevops/docker-hub-core';
import { type TransportRequest, type TransportResponse } from '@llmdevops/docker-hub-transport';
import { type AuthChallenge } from '../challenge/parse-www-authenticate.js';
import { accountOf, type RegistryCredential } from '../credentials/types.js';
import { readJson } from '../internal/http.js';

/** Why a 401 could not be answered or was answered in vain. @internal */
export interface RefusalContext {
  readonly challenge: AuthChallenge;
  readonly credential: RegistryCredential | undefined;
  /** Set when no retry was possible; says why. */
  readonly why?: string;
}

/**
 * The typed error for a final 401: the message names the host, the scope and the account (never
 * the secret), and carries the registry's error entries.
 * @param res - the 401 (its small JSON body is read)
 * @param req - the request
 * @param ctx - challenge, credential used, and why no retry happened
 * @returns {@link AuthenticationError} or, for `insufficient_scope` with credentials, {@link AuthorizationError}
 * @internal
 */
export async function refusalError(
  res: TransportResponse,
  req: TransportRequest,
  ctx: RefusalContext,
): Promise<DockerHubError> {
  const registryErrors = parseRegistryErrors(await readJson(res));
  const host = req.url.host;
  const { credential, challenge } = ctx;
  const scope = challenge.params['scope'] ?? '';
  const scopeText = scope === '' ? '' : ` for ${scope}`;
  if (ctx.why !== undefined) {
    return new AuthenticationError(`${host}: authentication required${scopeText}, but ${ctx.why}`, {
      status: 401,
      registryErrors,
    });
  }
  if (credential === undefined || credential.kind === 'anonymous') {
    return new AuthenticationError(
      `${host}: anonymous access refused${scopeText} (the repository is private, does not exist, or needs credentials; none are configured for ${host})`,
      { status: 401, registryErrors },
    );
  }
  const account = accountOf(credential);
  if (challenge.params['error'] === 'insufficient_scope') {
    return new AuthorizationError(
      `${host}: the credentials of "${account}" (from ${credential.source}) do not grant access${scopeText}`,
      { status: 401 },
    );
  }
  const who = account === '' ? 'the configured token' : `the credentials of "${account}"`;
  return new AuthenticationError(
    `${host}: ${who} (from ${credential.source}) were refused${scopeText}`,
    { status: 401, registryErrors },
  );
}
