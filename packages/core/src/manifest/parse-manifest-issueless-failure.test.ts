import { z } from 'zod';
import { describe, expect, it, vi } from 'vitest';
import { ManifestInvalidError } from '../errors/validation-errors.js';
import { MediaType } from '../media-type/media-type.js';
import { parseManifest } from './parse-manifest.js';
import { OciManifestSchema } from './schemas.js';

// zod always lists at least one issue when a parse fails; parseManifest does not rely on it. This
// checks that fallback by making the schema fail without issues.
describe('parseManifest when a schema fails without naming an issue', () => {
  it('throws ManifestInvalidError for the whole manifest, with the zod error as cause', () => {
    const failure = new z.ZodError([]) as z.ZodError<z.infer<typeof OciManifestSchema>>;
    vi.spyOn(OciManifestSchema, 'safeParse').mockReturnValue({ success: false, error: failure });
    const body = new TextEncoder().encode(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest }),
    );
    let error: unknown;
    try {
      parseManifest(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestInvalidError);
    expect((error as ManifestInvalidError).message).toBe(
      `manifest: invalid (${MediaType.OciManifest})`,
    );
    expect((error as ManifestInvalidError).cause).toBe(failure);
  });
});
