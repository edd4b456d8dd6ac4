import { RegistryError } from '@llmdevops/docker-hub-core';
import { type Next } from '@llmdevops/docker-hub-transport';
import { type CredentialInput, type RegistryCredential } from '../credentials/types.js';
import { createAuthMiddleware } from './auth-middleware.js';

/** Options of {@link verifyRegistryLogin}. @public */
export interface VerifyRegistryLoginOptions {
  /** Sends the requests (a transport's `request` or a pipeline `Next`). */
  readonly send: Next;
  /** Hosts allowed to receive credentials over plain HTTP (loopback always may). */
  readonly insecureHosts?: Iterable<string>;
  /** Cancels the check. */
  readonly signal?: AbortSignal;
}

/**
 * Checks credentials against a registry the way `docker login` does: `GET /v2/`, answering its
 * challenge (a token exchange for Bearer, Basic otherwise). Nothing is stored; the token obtained
 * is zeroed before returning.
 * @param registryUrl - the registry base URL, e.g. `https://registry-1.docker.io`
 * @param credential - what to check
 * @param options - how to send, insecure hosts, signal
 * @returns when the registry accepted the credentials
 * @throws {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError} when they are refused
 * @throws {@link @llmdevops/docker-hub-core!RegistryError | RegistryError} when `/v2/` answers anything but 200 after authentication
 * @public
 */
export async function verifyRegistryLogin(
  registryUrl: string | URL,
  credential: CredentialInput | RegistryCredential,
  options: VerifyRegistryLoginOptions,
): Promise<void> {
  const auth = createAuthMiddleware({
    credentials: credential,
    transportNext: options.send,
    ...(options.insecureHosts === undefined ? {} : { insecureHosts: options.insecureHosts }),
  });
  try {
    const url = new URL('/v2/', registryUrl);
    const res = await auth.handle(
      {
        method: 'GET',
        url,
        headers: { accept: 'application/json' },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      options.send,
    );
    await res.dump();
    if (res.status !== 200)
      throw new RegistryError(`login check at ${url.host}: /v2/ answered ${res.status}`, {
        status: res.status,
      });
  } finally {
    auth.cache.dispose();
  }
}
