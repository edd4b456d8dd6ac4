import { ImageReference } from '@llmdevops/docker-hub-core';

/** A reference as an object or as text (`alpine:3.19`, `127.0.0.1:5000/a/b@sha256:...`). @public */
export type ReferenceInput = ImageReference | string;

/**
 * Parses text references; passes objects through.
 * @param input - a reference
 * @returns the reference
 * @throws {@link @llmdevops/docker-hub-core!InvalidReferenceError | InvalidReferenceError} for bad text
 * @internal
 */
export function toReference(input: ReferenceInput): ImageReference {
  if (typeof input !== 'string') return input;
  // References are immutable and the same few strings come back call after call: parse once.
  let ref = parsed.get(input);
  if (ref === undefined) {
    ref = ImageReference.parse(input);
    if (parsed.size >= 512) parsed.clear();
    parsed.set(input, ref);
  }
  return ref;
}

const parsed = new Map<string, ImageReference>();

/** Options every I/O call takes. @public */
export interface CallOptions {
  /** Cancels the call. */
  readonly signal?: AbortSignal;
}

/**
 * Spreads a signal into a request only when it is set (exactOptionalPropertyTypes).
 * @param signal - maybe a signal
 * @returns `{ signal }` or `{}`
 * @internal
 */
export function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}
