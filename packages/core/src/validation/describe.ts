/**
 * Says that a value given from JavaScript is not a string (types do not protect JS callers).
 * @param value - the value received
 * @param what - what it should have been, e.g. `tag`
 * @returns a message, or undefined when `value` is a string
 * @internal
 */
export function notString(value: unknown, what: string): string | undefined {
  return typeof value === 'string'
    ? undefined
    : `${what} must be a string, not ${value === null ? 'null' : typeof value}`;
}

/** Longest piece of user input quoted in an error message; longer input is cut with `…`. */
const QUOTE_MAX = 300;

/**
 * Quotes user input for an error message: JSON escapes make control characters visible and long
 * input is shortened so an error never carries megabytes of text.
 * @param text - the input
 * @returns the quoted (and possibly shortened) input
 * @internal
 */
export function quote(text: string): string {
  return JSON.stringify(text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text);
}

/**
 * Names one character for an error message, escaping invisible ones.
 * @param char - a single character (a code point)
 * @returns e.g. `'$'` or `"\u0000"`
 * @internal
 */
export function describeChar(char: string): string {
  return /^[\x21-\x7e]$/.test(char) ? `'${char}'` : JSON.stringify(char);
}

/**
 * Finds the first character of `text` that `allowed` does not match.
 * @param text - the text to scan
 * @param allowed - a regex matching one allowed character
 * @returns the index and character, or undefined when every character is allowed
 * @internal
 */
export function firstDisallowed(
  text: string,
  allowed: RegExp,
): { readonly index: number; readonly char: string } | undefined {
  let index = 0;
  for (const char of text) {
    if (!allowed.test(char)) return { index, char };
    index += char.length;
  }
  return undefined;
}

/**
 * The text form of a value received where a string was expected, for an error's `input`.
 * @param value - the value received
 * @returns the value itself when a string, else `String(value)`
 * @internal
 */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}
