import { type Next } from '@llmdevops/docker-hub-transport';
import {
  type CredentialSourceOptions,
  resolveCredentials,
} from '../credentials/resolve-credentials.js';
import { type Clock } from '@llmdevops/docker-hub-core';
import { type AuthEventListener } from '../middleware/auth-events.js';
import {
  createHubLogin,
  DOCKER_HUB_URL,
  type HubSession,
  type TwoFactorCallback,
} from './hub-login.js';

/** Options of {@link resolveHubLogin}. @public */
export interface ResolveHubLoginOptions extends CredentialSourceOptions {
  /** Sends the login requests. */
  readonly send: Next;
  /** Hub API base URL (default `DOCKER_HUB_URL` from the environment, else `https://hub.docker.com`). */
  readonly hubUrl?: string | URL;
  /** Supplies a 2FA code for the legacy login flow. */
  readonly onTwoFactor?: TwoFactorCallback;
  /** Time source. */
  readonly clock?: Pick<Clock, 'now'>;
  /** Receives the session's `token` and `refused` events (as in {@link createHubLogin}). */
  readonly onEvent?: AuthEventListener;
  /** Cancels reading credentials (files, helpers). */
  readonly signal?: AbortSignal;
}

/**
 * A Docker Hub API session for the Docker Hub credentials found by {@link resolveCredentials}
 * (explicit, `DOCKER_HUB_USERNAME` + `DOCKER_HUB_ACCESS_TOKEN`/`DOCKER_HUB_PASSWORD`,
 * `config.json` under `https://index.docker.io/v1/`), against `DOCKER_HUB_URL` when set.
 * @param options - credential sources, Hub URL, transport, 2FA callback
 * @returns the session, or undefined when there is no username/password (anonymous, or only an
 * identity token, which the Hub API does not accept)
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} when `config.json` or a credential helper fails
 * @public
 */
export async function resolveHubLogin(
  options: ResolveHubLoginOptions,
): Promise<HubSession | undefined> {
  const env = options.env ?? process.env;
  const credential = await resolveCredentials('docker.io', options, options.signal);
  if (credential.kind !== 'basic') return undefined;
  const fromEnv = env['DOCKER_HUB_URL'];
  const hubUrl =
    options.hubUrl ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : DOCKER_HUB_URL);
  return createHubLogin({
    hubUrl,
    identifier: credential.username,
    secret: credential.password,
    send: options.send,
    ...(options.onTwoFactor === undefined ? {} : { onTwoFactor: options.onTwoFactor }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
}
