import { timingSafeEqual } from 'node:crypto';

const REDACTED = '[REDACTED]';

/**
 * A credential (password, personal access token, bearer token) held in a private buffer.
 * `toString`, `toJSON`, template literals and `util.inspect` print `[REDACTED]`; only
 * {@link Secret.reveal} gives the value, at the moment it is sent. {@link Secret.dispose} (or a
 * `using` declaration) overwrites the buffer with zeros.
 *
 * JavaScript strings are immutable and may be copied by the engine, so zeroing the buffer cannot
 * scrub every copy of a value that once was a string; it does guarantee that this object no longer
 * holds it, and keeps credentials out of logs, errors and serialized state.
 * @example
 * ```ts
 * using token = new Secret(process.env.DOCKER_HUB_ACCESS_TOKEN ?? '');
 * console.log(`${token}`); // [REDACTED]
 * headers.authorization = `Bearer ${token.reveal()}`;
 * ```
 * @public
 */
export class Secret {
  #bytes: Buffer | undefined;

  /** @param value - the credential, as text or bytes (bytes are copied) */
  constructor(value: string | Uint8Array) {
    this.#bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  }

  /**
   * Wraps a value unless it already is a Secret.
   * @param value - a credential or a Secret
   * @returns a Secret
   */
  static from(value: string | Uint8Array | Secret): Secret {
    return value instanceof Secret ? value : new Secret(value);
  }

  /** Whether {@link Secret.dispose} has run. */
  get disposed(): boolean {
    return this.#bytes === undefined;
  }

  /** Length of the value in bytes (0 once disposed). */
  get byteLength(): number {
    return this.#bytes?.length ?? 0;
  }

  /**
   * The value, for the one place that must send it.
   * @returns the credential as text
   * @throws Error when the secret was disposed
   */
  reveal(): string {
    if (this.#bytes === undefined) throw new Error('Secret was disposed');
    return this.#bytes.toString('utf8');
  }

  /**
   * Constant-time comparison with another secret or value.
   * @param other - what to compare with
   * @returns true when both hold the same bytes
   */
  equals(other: Secret | string): boolean {
    const mine = this.#bytes;
    if (mine === undefined) return false;
    const theirs = typeof other === 'string' ? Buffer.from(other, 'utf8') : other.#bytes;
    if (theirs?.length !== mine.length) return false;
    return timingSafeEqual(mine, theirs);
  }

  /** Overwrites the value with zeros and forgets it. Safe to call twice. */
  dispose(): void {
    this.#bytes?.fill(0);
    this.#bytes = undefined;
  }

  /** `using` support: same as {@link Secret.dispose}. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @returns `[REDACTED]` */
  toString(): string {
    return REDACTED;
  }

  /** @returns `[REDACTED]`, so `JSON.stringify` never serializes the value */
  toJSON(): string {
    return REDACTED;
  }

  /** @returns `[REDACTED]` for template literals and string coercion */
  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  /** @returns `Secret([REDACTED])` for `util.inspect` and `console.log` */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${REDACTED})`;
  }
}
