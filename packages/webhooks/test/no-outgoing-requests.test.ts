import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = fileURLToPath(new URL('../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

// callback_url is parsed and exposed, never requested: the package has no client code at all.
const FORBIDDEN = [
  /\bfetch\s*\(/,
  /from ['"](?:node:)?(?:https|http2|tls|dgram|dns|child_process)['"]/,
  /from ['"]undici['"]/,
  /\b(?:createConnection|request|get)\s*\(\s*['"`]?https?:/,
  /\.connect\s*\(/,
  /new\s+WebSocket\b/,
];

describe('the webhooks package makes no outgoing requests', () => {
  it('has no client code in src/', () => {
    const files = sources(srcDir);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of FORBIDDEN) expect([file, pattern.test(text)]).toEqual([file, false]);
      // node:http is only used for its types (IncomingMessage, ServerResponse).
      for (const line of text.split('\n').filter((l) => /from ['"](?:node:)?http['"]/.test(l)))
        expect(line).toMatch(/^import \{ (?:type \w+(?:, )?)+ \} from/);
    }
  });
});
