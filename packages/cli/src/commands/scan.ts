import { defineCommand, flag } from '../command.js';
import { write, writeJson } from '../io.js';
import { withClient } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

/** `dhub scan REF`: the vulnerability overview from scan reports attached to the image. @public */
export const scanCommand = defineCommand(
  {
    name: 'scan',
    usage: 'dhub scan REF [--json]',
    summary:
      'Summarize the vulnerability reports attached to an image (OCI referrers or BuildKit attestations): counts by severity and top findings.',
    options: {
      json: {
        type: 'boolean',
        help: 'print { reference, found, digest, counts, total, scanner, scannedAt, topFindings }',
      },
    },
    examples: ['dhub scan myuser/app:1.0', 'dhub scan 127.0.0.1:5000/demo/app@sha256:... --json'],
    positionals: ['REF'],
  },
  async (input) => {
    const ref = referenceOperand(input, 0, 'REF');
    const overview = await withClient(input, [ref], (client) =>
      client.vulnerabilities.getScanOverviewFor(ref, { signal: input.io.signal }),
    );
    if (flag(input, 'json')) {
      await writeJson(
        input.io.stdout,
        overview === undefined
          ? { reference: ref.toString(), found: false }
          : {
              reference: ref.toString(),
              found: true,
              digest: overview.digest,
              counts: overview.counts,
              total: overview.total,
              suppressed: overview.suppressed,
              scanner: overview.scanner ?? null,
              scannedAt: overview.scannedAt?.toISOString() ?? null,
              topFindings: overview.topFindings,
              problems: overview.problems,
            },
      );
      return 0;
    }
    if (overview === undefined) {
      await write(input.io.stdout, `no scan report attached to ${ref.familiar()}\n`);
      return 0;
    }
    const { SEVERITIES } = await import('@llmdevops/docker-hub-services');
    const counts = SEVERITIES.map((s) => `${s} ${overview.counts[s]}`).join(', ');
    const scanner =
      overview.scanner === undefined
        ? 'unknown scanner'
        : `${overview.scanner.name} ${overview.scanner.version ?? ''}`.trim();
    const lines = [
      `image: ${ref.familiar()} (${overview.digest})`,
      `scanner: ${scanner}${overview.scannedAt === undefined ? '' : `, ${overview.scannedAt.toISOString()}`}`,
      `vulnerabilities: ${overview.total} (${counts})`,
      ...overview.topFindings.map(
        (f) =>
          `  ${f.severity.padEnd(8)} ${f.id}${f.package === undefined ? '' : ` ${f.package}`}${f.installedVersion === undefined ? '' : ` ${f.installedVersion}`}${f.fixedVersion === undefined ? '' : ` (fixed in ${f.fixedVersion})`}`,
      ),
    ];
    await write(input.io.stdout, `${lines.join('\n')}\n`);
    return 0;
  },
);
