/**
 * What the auth middleware reports. Only hosts, scopes, schemes and times: never a credential,
 * token or header value. `challenge`: a host answered 401 with a challenge; `token`: a token was
 * obtained (expiry in ms since epoch); `retry`: a request is sent again with credentials;
 * `refused`: the credentials were refused and an error is thrown (reason = error code).
 * @public
 */
export type AuthEvent =
  | {
      readonly type: 'challenge';
      readonly host: string;
      readonly scheme: string;
      readonly scopes: readonly string[];
      readonly error: string | undefined;
    }
  | {
      readonly type: 'token';
      readonly realmHost: string;
      readonly scopes: readonly string[];
      readonly expiresAt: number;
      readonly account: string;
    }
  | { readonly type: 'retry'; readonly host: string; readonly reason: 'challenge' | 'expired' }
  | {
      readonly type: 'refused';
      readonly host: string;
      readonly status: number;
      readonly reason: string;
    };

/** Receives {@link AuthEvent}s. @public */
export type AuthEventListener = (event: AuthEvent) => void;
