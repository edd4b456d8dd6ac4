// P-08: 10 concurrent verified downloads of one blob; P-09: 5 concurrent uploads of distinct
// blobs; each against one stream of the same size. Any error fails the run.
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { log, mbPerSec, ms, now, nullSink, round } from '../lib/measure.mjs';
import { P } from '../lib/params.mjs';

/** Runs `fn(0..n-1)` at once; seconds and aggregate MB/s of `n` transfers of `P.conc` bytes. */
async function atOnce(n, fn) {
  const t = now();
  await Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
  const msT = ms(now() - t);
  return { n, seconds: round(msT / 1000, 3), mbPerSec: mbPerSec(n * P.conc, msT) };
}

/** Wraps `fn` so a failure is logged and counted instead of cutting the batch short. */
function counting(errors, fn) {
  return async (i) => {
    try {
      await fn(i);
    } catch (e) {
      errors.count++;
      log(`  error: ${e.message}`);
    }
  };
}

/** P-08 and P-09 on `host` (results keyed by id, as the latency table expects). */
export async function concurrencySuite(client, host) {
  const repo = `${host}/bench/conc`;
  const dl = randomBytes(P.conc);
  const dld = await client.blobs.upload(repo, dl);
  const down = () => pipeline(client.blobs.get(repo, dld, { size: dl.length }), nullSink());
  await down();
  const errors = { count: 0 };
  const d1 = await atOnce(1, counting(errors, down));
  const d10 = await atOnce(10, counting(errors, down));
  const ups = Array.from({ length: 6 }, () => randomBytes(P.conc));
  const u1 = await atOnce(
    1,
    counting(errors, () => client.blobs.upload(repo, ups[5])),
  );
  const u5 = await atOnce(
    5,
    counting(errors, (i) => client.blobs.upload(repo, ups[i])),
  );
  log(
    `  P-08 ${d10.mbPerSec} MB/s (single ${d1.mbPerSec}); P-09 ${u5.mbPerSec} MB/s (single ${u1.mbPerSec}); errors ${errors.count}`,
  );
  if (errors.count > 0) throw new Error(`${errors.count} errors in concurrent transfers`);
  return {
    'P-08': { name: '10 concurrent downloads', single: d1, concurrent: d10, errors: errors.count },
    'P-09': { name: '5 concurrent uploads', single: u1, concurrent: u5, errors: errors.count },
  };
}
