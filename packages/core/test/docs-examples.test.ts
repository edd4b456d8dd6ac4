// The Markdown in docs/ embeds the files of docs/examples/ verbatim after a marker
// `<!-- example: docs/examples/<file> -->`; every example file is embedded and is run by a
// `docs-examples.test.ts` (or `<topic>-docs.test.ts`) of some package; relative links between the docs point at existing
// headings. This suite also runs the core example.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const docs = readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md'));
const examples = readdirSync(new URL('docs/examples/', root)).filter((f) => f.endsWith('.ts'));

interface Block {
  readonly doc: string;
  readonly file: string;
  readonly content: string | undefined;
}

/** Every marked block: the marker, then (after at most one blank line) a ```ts fenced block. */
function markedBlocks(doc: string, text: string): Block[] {
  const out: Block[] = [];
  for (const m of text.matchAll(
    /<!-- example: (docs\/examples\/[\w.-]+) -->\n\n?(```ts\n([\s\S]*?)\n```)?/g,
  )) {
    out.push({ doc, file: m[1] ?? '', content: m[3] });
  }
  return out;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/^#{1,6} (.+)$/gm)) {
    out.add(
      (m[1] ?? '')
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    );
  }
  return out;
}

describe('docs examples', () => {
  const blocks = docs.flatMap((d) => markedBlocks(d, read(`docs/${d}`)));

  it('embeds each marked example verbatim', () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) {
      expect(existsSync(new URL(b.file, root)), `${b.doc}: ${b.file} does not exist`).toBe(true);
      expect(
        b.content,
        `${b.doc}: the block after the marker of ${b.file} must be a \`\`\`ts fence`,
      ).toBeDefined();
      expect(`${b.content ?? ''}\n`, `${b.doc}: copy ${b.file} into the block verbatim`).toBe(
        read(b.file),
      );
    }
  });

  it('embeds every example file and runs each in a docs-examples test', () => {
    // `docs-examples.test.ts`, or a topic's own `<topic>-docs.test.ts` (e.g. services' telemetry-docs).
    const tests = readdirSync(new URL('packages/', root))
      .filter((p) => existsSync(new URL(`packages/${p}/test/`, root)))
      .flatMap((p) =>
        readdirSync(new URL(`packages/${p}/test/`, root))
          .filter((f) => f === 'docs-examples.test.ts' || f.endsWith('-docs.test.ts'))
          .map((f) => `packages/${p}/test/${f}`),
      )
      .map(read)
      .join('\n');
    for (const file of examples) {
      expect(
        blocks.some((b) => b.file === `docs/examples/${file}`),
        `${file} is in no doc`,
      ).toBe(true);
      expect(
        tests.includes(file),
        `${file} is run by no packages/*/test/docs-examples.test.ts or *-docs.test.ts`,
      ).toBe(true);
    }
  });

  it('detects a block that differs from its file', () => {
    const [b] = markedBlocks(
      'x.md',
      '<!-- example: docs/examples/a.ts -->\n```ts\nconst a = 1;\n```\n',
    );
    expect(b).toEqual({ doc: 'x.md', file: 'docs/examples/a.ts', content: 'const a = 1;' });
    expect(
      markedBlocks('x.md', '<!-- example: docs/examples/a.ts -->\ntext')[0]?.content,
    ).toBeUndefined();
  });

  it('links only to docs and headings that exist', () => {
    const broken: string[] = [];
    const sources = [
      ...docs.map((d) => `docs/${d}`),
      'tooling/observability/prometheus-alerts.yml',
    ];
    for (const source of sources) {
      const text = read(source);
      for (const m of text.matchAll(/(?:\]\(|runbook: (?:docs\/)?)([\w-]+\.md)?(#[\w-]+)?\)?/g)) {
        const [, file, hash] = m;
        if (file === undefined && hash === undefined) continue;
        const target = file === undefined ? source : `docs/${file}`;
        if (!existsSync(new URL(target, root))) broken.push(`${source}: ${target}`);
        else if (hash !== undefined && !anchors(read(target)).has(hash.slice(1)))
          broken.push(`${source}: ${target}${hash}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('docs/examples/core-errors.ts', () => {
  it('normalizes references and explains invalid ones by code', async () => {
    const path = fileURLToPath(new URL('docs/examples/core-errors.ts', root));
    const { normalizeOrExplain } = (await import(path)) as {
      normalizeOrExplain(text: string): string;
    };
    expect(normalizeOrExplain('alpine:3.19')).toBe('docker.io/library/alpine:3.19');
    expect(normalizeOrExplain('myuser/myapp')).toBe('docker.io/myuser/myapp:latest');
    expect(normalizeOrExplain('Alpine/UPPER')).toMatch(
      /^INVALID_REFERENCE: .+ \(retryable: false\)$/,
    );
  });
});
