// docs/errors.md documents every error code: a code added to ERROR_CODES without a row there (or
// a row for a code that does not exist) fails this test.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/index.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

/** Codes of the rows of the "Error codes" table: lines starting with "| `CODE` |" (cells may be padded). */
function documentedCodes(markdown: string): string[] {
  const section = markdown.slice(markdown.indexOf('## Error codes'));
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` +\|/gm)].map((m) => m[1] ?? '');
}

describe('docs/errors.md', () => {
  const documented = documentedCodes(doc);

  it('has a row for every code in ERROR_CODES', () => {
    const missing = Object.keys(ERROR_CODES).filter((code) => !documented.includes(code));
    expect(missing, `add rows for these codes to docs/errors.md: ${missing.join(', ')}`).toEqual(
      [],
    );
  });

  it('documents no code that does not exist, and each code once', () => {
    expect(documented.filter((code) => !Object.hasOwn(ERROR_CODES, code))).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('says for every code when it happens, whether it is retried and what to do', () => {
    for (const line of doc.split('\n').filter((l) => /^\| `[A-Z_]+` +\|/.test(l))) {
      const cells = line.split(/ +\| +/);
      expect(cells.length, line).toBe(5);
      for (const cell of cells) expect(cell.replace(/[|`\s]/g, '').length, line).toBeGreaterThan(0);
    }
  });

  it('detects a missing code', () => {
    expect(documentedCodes('## Error codes\n| `NETWORK` | x | y | z | w |\n')).toEqual(['NETWORK']);
    expect(documentedCodes('## Error codes\n| NETWORK | x |\n')).toEqual([]);
  });
});
