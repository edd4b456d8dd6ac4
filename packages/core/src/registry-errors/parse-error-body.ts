import type { RegistryErrorDetail } from '../errors/index.js';

/** Longest message kept from an error body, in characters. */
const MAX_MESSAGE = 300;

/** What an error body said, as {@link parseErrorBody} reads it. @public */
export interface ParsedErrorBody {
  /** The entries of a distribution `errors[]` array (empty when there is none). */
  readonly registryErrors: readonly RegistryErrorDetail[];
  /** A human message: the first registry error, else a Hub `message`/`detail`/`text`/`error`. */
  readonly message: string | undefined;
  /** Hub login asked for a second factor (`login_2fa_token` present; its value is never kept). */
  readonly twoFactor: boolean;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * The entries of a distribution error envelope (`{"errors":[{code,message,detail}]}`). A code that
 * is not upper-case letters and underscores becomes `UNKNOWN`, messages are trimmed and cut to 300
 * characters, entries that are not objects are skipped. Never throws.
 * @param body - the parsed JSON body (anything)
 * @returns the entries, empty when the body has no `errors` array
 * @example
 * ```ts
 * parseRegistryErrors({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
 * // [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }]
 * ```
 * @public
 */
export function parseRegistryErrors(body: unknown): RegistryErrorDetail[] {
  if (typeof body !== 'object' || body === null) return [];
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  const out: RegistryErrorDetail[] = [];
  for (const e of errors as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const rec = e as Record<string, unknown>;
    const raw = rec['code'];
    const code = typeof raw === 'string' && /^[A-Z_]{1,64}$/.test(raw) ? raw : 'UNKNOWN';
    const entry: RegistryErrorDetail = { code, message: text(rec['message'])?.slice(0, MAX_MESSAGE) ?? '' };
    out.push(rec['detail'] === undefined ? entry : { ...entry, detail: rec['detail'] });
  }
  return out;
}

/**
 * Parses the text of an error response: a distribution error envelope or a Docker Hub API error
 * body (`detail`, `message`, `text`, `error`). Text that is not a JSON object yields no details.
 * Never throws.
 * @param body - the (size-limited) body text
 * @returns the registry errors, a message of at most 300 characters, and the 2FA flag
 * @public
 */
export function parseErrorBody(body: string): ParsedErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { registryErrors: [], message: undefined, twoFactor: false };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { registryErrors: [], message: undefined, twoFactor: false };
  }
  const rec = json as Record<string, unknown>;
  const registryErrors = parseRegistryErrors(rec);
  const first = registryErrors[0];
  const hub = text(rec['message']) ?? text(rec['detail']) ?? text(rec['text']) ?? text(rec['error']);
  const message =
    first === undefined ? hub : `${first.code}${first.message === '' ? '' : `: ${first.message}`}`;
  return { registryErrors, message: message?.slice(0, MAX_MESSAGE), twoFactor: 'login_2fa_token' in rec };
}
