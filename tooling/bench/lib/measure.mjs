// Timing, statistics and small stream helpers.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { P } from './params.mjs';

export const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);
export const sha = (buf) => `sha256:${createHash('sha256').update(buf).digest('hex')}`;
export const ms = (ns) => Number(ns) / 1e6;
export const now = () => process.hrtime.bigint();
export const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
/** MB/s (decimal megabytes) for `bytes` moved in `msT` milliseconds, one decimal. */
export const mbPerSec = (bytes, msT) => round(bytes / 1e6 / (msT / 1000), 1);
export const sleep = (msT) => new Promise((r) => setTimeout(r, msT));

export function stats(samplesMs) {
  const s = [...samplesMs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  const r = (x) => round(x, 3);
  return { n: s.length, median: r(q(0.5)), p99: r(q(0.99)), min: r(s[0]), max: r(s[s.length - 1]) };
}

export const median = (samples) => stats(samples).median;

/** Runs `fn(i)` `warmup` times untimed, then `iters` times timed; returns the statistics in ms. */
export async function measure(fn, iters = P.iters, warmup = P.warmup) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const out = [];
  for (let i = 0; i < iters; i++) {
    const t = now();
    await fn(i);
    out.push(ms(now() - t));
  }
  return stats(out);
}

/** Milliseconds one call of `fn` takes. */
export async function timeOnce(fn) {
  const t = now();
  await fn();
  return ms(now() - t);
}

export async function drain(body) {
  for await (const _ of body);
}

/** A writable that drops everything. */
export const nullSink = () => new Writable({ write: (_c, _e, cb) => cb() });
