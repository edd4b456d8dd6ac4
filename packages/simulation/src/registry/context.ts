import { type BlobStore } from '../storage/blob-store.js';
import { type ProfileRules } from '../profiles/profiles.js';
import { type SessionTracker } from './session-tracker.js';
import { type RegistryState } from './state.js';

/** A push that set a tag (webhook emission). @public */
export interface TaggedPushEvent {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  /** The account that pushed, when authenticated. */
  readonly pusher?: string;
}

/** Everything the registry handlers share. @internal */
export interface RegistryContext {
  readonly store: BlobStore;
  readonly state: RegistryState;
  readonly rules: ProfileRules;
  /** Current time in ms (injectable). */
  readonly now: () => number;
  /** Key for the `_state` upload parameter. */
  readonly stateKey: Uint8Array;
  /** Largest manifest accepted, in bytes. */
  readonly maxManifestBytes: number;
  /** Upload sessions' last use and write claims (one write at a time, purge after the TTL). */
  readonly sessions: SessionTracker;
  /** Saves the metadata (after every change). */
  save(): Promise<void>;
  /** Called after a manifest PUT by tag. */
  onTaggedPush(event: TaggedPushEvent): void;
}

/** One registry request with what the router found. @internal */
export interface RegistryCall {
  readonly request: Request;
  readonly url: URL;
  /** The authenticated account, if any. */
  readonly account?: string;
  /** Whether the caller may pull another repository (cross-repository mounts). */
  readonly canPull?: (name: string) => boolean;
}
