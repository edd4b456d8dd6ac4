// The checked-in entry (bin/dhub.js) answers `--version` itself, before loading the program:
// the answer must be the program's own.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/main.js';

const ENTRY = fileURLToPath(new URL('../bin/dhub.js', import.meta.url));

describe('bin/dhub.js', () => {
  it('prints the same version line as the program for --version and -V', () => {
    for (const flag of ['--version', '-V']) {
      expect(execFileSync(process.execPath, [ENTRY, flag], { encoding: 'utf8' })).toBe(`dhub ${VERSION}\n`);
    }
  });

  it('hands every other command line to the program', () => {
    const help = execFileSync(process.execPath, [ENTRY, '--help'], { encoding: 'utf8' });
    expect(help).toContain('commands:');
  });
});
