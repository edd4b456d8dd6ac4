import { Secret } from '@llmdevops/docker-hub-core';

/** Where a credential came from (for diagnostics; never the value). @public */
export type CredentialSource =
  'explicit' | 'env' | 'docker-config' | 'credential-helper' | 'anonymous';

/** No credentials: anonymous tokens or unauthenticated requests. @public */
export interface AnonymousCredential {
  /** Discriminant. */
  readonly kind: 'anonymous';
  /** Where the credential came from. */
  readonly source: CredentialSource;
}

/** Username and password (or personal/organization access token). @public */
export interface BasicCredential {
  /** Discriminant. */
  readonly kind: 'basic';
  /** Account name (not secret). */
  readonly username: string;
  /** Password, PAT or OAT. */
  readonly password: Secret;
  /** Where the credential came from. */
  readonly source: CredentialSource;
}

/**
 * An identity (refresh) token, e.g. `identitytoken` in `config.json`, exchanged with the OAuth2
 * `refresh_token` grant.
 * @public
 */
export interface IdentityTokenCredential {
  /** Discriminant. */
  readonly kind: 'identity-token';
  /** Account name when known. */
  readonly username: string | undefined;
  /** The refresh token. */
  readonly token: Secret;
  /** Where the credential came from. */
  readonly source: CredentialSource;
}

/** A ready bearer token for the registry (`registrytoken` in `config.json`). @public */
export interface RegistryTokenCredential {
  /** Discriminant. */
  readonly kind: 'registry-token';
  /** The bearer token, sent as is. */
  readonly token: Secret;
  /** Where the credential came from. */
  readonly source: CredentialSource;
}

/** Any credential for one registry. @public */
export type RegistryCredential =
  AnonymousCredential | BasicCredential | IdentityTokenCredential | RegistryTokenCredential;

/** What callers may pass explicitly: plain strings are wrapped in {@link Secret} at once. @public */
export type CredentialInput =
  | { readonly username: string; readonly password: string | Secret }
  | { readonly username?: string; readonly identityToken: string | Secret }
  | { readonly registryToken: string | Secret };

/**
 * Turns caller input into a {@link RegistryCredential}.
 * @param input - username/password, identity token or registry token
 * @param source - where it came from
 * @returns the credential, secrets wrapped
 * @public
 */
export function toCredential(
  input: CredentialInput,
  source: CredentialSource = 'explicit',
): RegistryCredential {
  if ('password' in input)
    return {
      kind: 'basic',
      username: input.username,
      password: Secret.from(input.password),
      source,
    };
  if ('identityToken' in input) {
    return {
      kind: 'identity-token',
      username: input.username,
      token: Secret.from(input.identityToken),
      source,
    };
  }
  return { kind: 'registry-token', token: Secret.from(input.registryToken), source };
}

/** The anonymous credential. @public */
export const ANONYMOUS: AnonymousCredential = Object.freeze({
  kind: 'anonymous',
  source: 'anonymous',
});

/**
 * The account name of a credential ('' when none), used in token cache keys and `account=`.
 * @param credential - a credential
 * @returns the username or ''
 * @public
 */
export function accountOf(credential: RegistryCredential): string {
  if (credential.kind === 'basic') return credential.username;
  if (credential.kind === 'identity-token') return credential.username ?? '';
  return '';
}

/**
 * Zeroes the secrets a credential holds.
 * @param credential - a credential
 * @public
 */
export function disposeCredential(credential: RegistryCredential): void {
  if (credential.kind === 'basic') credential.password.dispose();
  else if (credential.kind !== 'anonymous') credential.token.dispose();
}
