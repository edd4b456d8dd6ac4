import { describe, expect, it } from 'vitest';
import { ByteSizeError, parseByteSize } from './byte-size.js';

describe('parseByteSize', () => {
  it('reads plain bytes and decimal or binary units, case-insensitively', () => {
    expect(parseByteSize('--max-size', '1048576')).toBe(1_048_576);
    expect(parseByteSize('--max-size', '4GiB')).toBe(4 * 2 ** 30);
    expect(parseByteSize('--max-size', '512 mib')).toBe(512 * 2 ** 20);
    expect(parseByteSize('--max-size', '2kB')).toBe(2_000);
    expect(parseByteSize('--max-size', '3GB')).toBe(3e9);
    expect(parseByteSize('--max-size', '1TiB')).toBe(2 ** 40);
    expect(parseByteSize('--max-size', '0')).toBe(0);
  });

  it.each(['', 'GiB', '4 GiBs', '-1', '1.5GiB', '4XB', '99999999999999TiB'])(
    "refuses '%s' with an error naming the option",
    (text) => {
      expect(() => parseByteSize('--max-size', text)).toThrow(ByteSizeError);
      expect(() => parseByteSize('--max-size', text)).toThrow(/--max-size/);
    },
  );
});
