import { WebhookError } from '@llmdevops/docker-hub-core';

/** Limits applied to a webhook body before any schema sees it. @public */
export interface JsonLimits {
  /** Deepest nesting of objects and arrays accepted (default 32). */
  readonly maxDepth: number;
  /** Longest string (value or key) accepted, in UTF-16 code units (default 65536). */
  readonly maxStringLength: number;
}

/** Default {@link JsonLimits}. @public */
export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 32, maxStringLength: 65_536 };

// Keys that, once copied into another object by a careless merge, reach Object.prototype.
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const invalid = (message: string): WebhookError =>
  new WebhookError('WEBHOOK_INVALID', message, { status: 400 });

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Counts the nesting of the raw text before `JSON.parse` sees it, so a body of a million `[` is
 * refused in one linear pass instead of being materialised.
 */
function checkDepth(text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) throw invalid(`JSON nesting is deeper than ${maxDepth}`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** Walks the parsed value without recursion, refusing forbidden keys and oversized strings. */
function checkValue(root: unknown, limits: JsonLimits): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (value.length > limits.maxStringLength)
        throw invalid(`a string is longer than ${limits.maxStringLength} characters`);
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (FORBIDDEN_KEYS.has(key)) throw invalid('payload contains a forbidden key');
        if (key.length > limits.maxStringLength)
          throw invalid(`a key is longer than ${limits.maxStringLength} characters`);
        stack.push(item);
      }
    }
  }
}

/**
 * Decodes and parses a webhook body defensively: strict UTF-8, bounded nesting (checked on the text,
 * before parsing), no `__proto__` / `constructor` / `prototype` keys anywhere, bounded strings.
 * Error messages are fixed phrases: they never quote the body.
 * @param body - the raw body bytes
 * @param limits - nesting and string limits
 * @returns the parsed JSON value
 * @throws {@link @llmdevops/docker-hub-core!WebhookError | WebhookError} `WEBHOOK_INVALID` (status 400) naming which rule failed
 * @public
 */
export function parseJsonSafely(
  body: Uint8Array,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
): unknown {
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    throw invalid('body is not valid UTF-8');
  }
  checkDepth(text, limits.maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The SyntaxError quotes part of the body, so it is neither shown nor kept as the cause.
    throw invalid('body is not valid JSON');
  }
  checkValue(value, limits);
  return value;
}
