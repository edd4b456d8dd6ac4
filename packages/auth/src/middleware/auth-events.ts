/**
 * What the auth middleware reports. Only hosts, scopes, schemes and times: never a credential,
 * token or header value.
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
