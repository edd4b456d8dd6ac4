// The response the terminal builds (`createResponse`, `wrapBody`, `readPrefix`): size limits at
// their exact boundary, header lookup, JSON errors, draining, byte counting and error mapping of
// the wrapped body. In-process streams only.
import { PassThrough, Readable } from 'node:stream';
import { NetworkError, PayloadTooLargeError, RegistryError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { bodyBytesRead, createResponse, readPrefix, registerBodyCounter, wrapBody } from '../src/dispatch/response.js';

const url = new URL('https://r.test/v2/x');

function response(chunks: readonly string[], headers: Readonly<Record<string, string | string[] | undefined>> = {}) {
  const body = Readable.from(chunks.map((c) => Buffer.from(c)));
  return { body, res: createResponse({ status: 200, headers, url, body, what: 'GET r.test/v2/x response body' }) };
}

describe('createResponse readers', () => {
  it('read a body of exactly the limit, and refuse one byte more naming the body and the limit', async () => {
    await expect(response(['abc', 'de']).res.text(5)).resolves.toBe('abcde');
    await expect(response(['abc', 'de']).res.bytes(5)).resolves.toEqual(new Uint8Array(Buffer.from('abcde')));
    const { body, res } = response(['abc', 'def']);
    const err = await res.text(5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as Error).message).toBe('GET r.test/v2/x response body exceeds the limit of 5 bytes');
    expect(body.destroyed).toBe(true);
    await expect(response(['{"a":', '1}']).res.json(7)).resolves.toEqual({ a: 1 });
    await expect(response(['{"a":', '1}']).res.json(6)).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it('json refuses text that is not JSON with a RegistryError carrying the status', async () => {
    const err = await response(['not json']).res.json().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ status: 200, message: 'GET r.test/v2/x response body is not valid JSON' });
  });

  it('header() is case-insensitive and joins repeated headers with a comma', () => {
    const { res } = response([], { 'content-type': 'application/json', link: ['<a>', '<b>'] });
    expect(res.header('Content-Type')).toBe('application/json');
    expect(res.header('LINK')).toBe('<a>, <b>');
    expect(res.header('x-missing')).toBeUndefined();
    expect(res.status).toBe(200);
    expect(res.url).toBe(url);
  });

  it('dump() drains a small body to its end, and does nothing to a body already ended or destroyed', async () => {
    const { body, res } = response(['abc', 'def']);
    await res.dump();
    expect(body.destroyed).toBe(true);
    expect(body.readableEnded).toBe(true);
    const destroyed = new PassThrough();
    destroyed.destroy();
    const read = createResponse({ status: 200, headers: {}, url, body: destroyed, what: 'w' });
    await expect(read.dump()).resolves.toBeUndefined();
  });

  it('dump() cuts a body larger than 256 KiB off after 256 KiB instead of reading it all', async () => {
    let produced = 0;
    const body = new Readable({
      read() {
        produced += 64 * 1024;
        this.push(Buffer.alloc(64 * 1024));
      },
    });
    await createResponse({ status: 500, headers: {}, url, body, what: 'w' }).dump();
    expect(body.destroyed).toBe(true);
    expect(produced).toBeLessThan(1024 * 1024);
  });
});

describe('readPrefix', () => {
  it('keeps exactly the first `limit` bytes across chunks and destroys the body', async () => {
    const body = Readable.from([Buffer.from('abc'), Buffer.from('def'), Buffer.from('ghi')]);
    expect((await readPrefix(body, 5)).toString()).toBe('abcde');
    expect(body.destroyed).toBe(true);
    expect((await readPrefix(Readable.from([Buffer.from('abc')]), 5)).toString()).toBe('abc');
    expect((await readPrefix(Readable.from([Buffer.from('abc'), Buffer.from('de')]), 5)).toString()).toBe('abcde');
  });

  it('stops reading once the limit is reached', async () => {
    let pulls = 0;
    const body = new Readable({
      read() {
        pulls += 1;
        this.push(Buffer.from('0123456789'));
      },
    });
    expect((await readPrefix(body, 10)).toString()).toBe('0123456789');
    expect(pulls).toBeLessThan(5);
  });

  it('a body that fails part-way yields what arrived', async () => {
    const body = new Readable({
      read() {
        // Fed by push() below.
      },
    });
    body.push(Buffer.from('abc'));
    setImmediate(() => body.destroy(new Error('reset')));
    expect((await readPrefix(body, 100)).toString()).toBe('abc');
  });
});

describe('wrapBody', () => {
  it('passes the bytes through and counts them', async () => {
    const source = Readable.from([Buffer.from('abc'), Buffer.from('de')]);
    const out = wrapBody(source, () => new NetworkError('unused'));
    const chunks: Buffer[] = [];
    for await (const c of out) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('abcde');
    expect(bodyBytesRead(out)).toBe(5);
  });

  it('a source error reaches the reader as the mapped error, also when nobody reads yet', async () => {
    const source = new PassThrough();
    const mapped = new NetworkError('mapped reset');
    const out = wrapBody(source, (err) => {
      expect((err as Error).message).toBe('reset');
      return mapped;
    });
    source.destroy(new Error('reset'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.destroyed).toBe(true);
    expect(out.errored).toBe(mapped);
  });

  it('destroying the wrapper destroys the source (which frees the socket)', async () => {
    const source = new PassThrough();
    const out = wrapBody(source, () => new NetworkError('unused'));
    out.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).toBe(true);
  });

  it('bodyBytesRead is 0 for a body made elsewhere, and follows a registered counter', () => {
    const body = new PassThrough();
    expect(bodyBytesRead(body)).toBe(0);
    const counter = { n: 0 };
    registerBodyCounter(body, counter);
    counter.n = 42;
    expect(bodyBytesRead(body)).toBe(42);
  });
});
