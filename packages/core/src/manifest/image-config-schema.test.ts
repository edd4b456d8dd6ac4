import { describe, expect, it } from 'vitest';
import { ImageConfigSchema } from './schemas.js';

const DIFF_ID = `sha256:${'a'.repeat(64)}`;

describe('ImageConfigSchema', () => {
  it('accepts a Docker config whose optional fields are null, keeping unknown fields', () => {
    const config = {
      architecture: 'amd64',
      os: 'linux',
      variant: null,
      created: '2026-12-07T00:00:00Z',
      config: { Env: null, Cmd: ['/bin/sh'], Labels: null },
      rootfs: { type: 'layers', diff_ids: [DIFF_ID] },
      history: [{ created_by: 'ADD file', empty_layer: null }],
      docker_version: '27.0.0',
    };
    expect(ImageConfigSchema.parse(config)).toEqual(config);
  });

  it('rejects a diff_id that is not a digest, naming where it is', () => {
    const result = ImageConfigSchema.safeParse({
      architecture: 'arm64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: ['sha256:short'] },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['rootfs', 'diff_ids', 0]);
  });
});
