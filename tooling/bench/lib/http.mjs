// Requests without the client: the bare exchanges the latency suites compare against, and the
// standard ways to download and hash a blob that the client's download path must beat.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import http from 'node:http';
import { connect } from 'node:net';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getGlobalDispatcher, request } from './deps.mjs';
import { drain } from './measure.mjs';
import { LARGE_HWM, MiB } from './params.mjs';
import { bareAuth } from '../registry.mjs';

/**
 * One bare undici request with the registry's bearer token; the body is read into memory
 * (drained for HEAD). Throws when `expect` is given and the status differs.
 */
export async function bare(method, url, { headers = {}, body, expect } = {}) {
  const res = await request(url, {
    method,
    headers: { ...(await bareAuth(url)), ...headers },
    body,
  });
  const buf = method === 'HEAD' ? undefined : Buffer.from(await res.body.arrayBuffer());
  if (method === 'HEAD') await drain(res.body);
  if (expect !== undefined && res.statusCode !== expect)
    throw new Error(`${method} ${url}: HTTP ${res.statusCode}`);
  return { res, buf };
}

function expect200(what, statusCode) {
  if (statusCode !== 200) throw new Error(`${what}: HTTP ${statusCode}`);
}

/** undici `request()` into a null sink, no hashing: the transfer alone. */
export async function undiciGet(url) {
  const res = await request(url, { headers: await bareAuth(url) });
  expect200('bare GET', res.statusCode);
  await drain(res.body);
}

/** undici `request()` + SHA-256 of every chunk; `highWaterMark` of the body stream when given. */
export async function undiciRequestHashGet(url, highWaterMark) {
  const res = await request(url, {
    headers: await bareAuth(url),
    ...(highWaterMark === undefined ? {} : { highWaterMark }),
  });
  expect200('undici request()', res.statusCode);
  const h = createHash('sha256');
  for await (const c of res.body) h.update(c);
  h.digest();
}

/**
 * undici `dispatcher.stream()` + SHA-256: undici writes each chunk straight into the returned
 * writable (no body `Readable` in between); its `highWaterMark` is large so undici never waits.
 */
export async function undiciStreamHashGet(url) {
  const u = new URL(url);
  const h = createHash('sha256');
  await getGlobalDispatcher().stream(
    {
      origin: u.origin,
      path: `${u.pathname}${u.search}`,
      method: 'GET',
      headers: await bareAuth(url),
    },
    ({ statusCode }) => {
      expect200('undici stream()', statusCode);
      return new Writable({
        highWaterMark: LARGE_HWM,
        write(c, _e, cb) {
          h.update(c);
          cb();
        },
      });
    },
  );
  h.digest();
}

const keepAlive = new http.Agent({ keepAlive: true });

/** `node:http` GET (keep-alive agent, `highWaterMark` LARGE_HWM) + SHA-256 of every chunk. */
export async function nodeHttpHashGet(url) {
  const headers = await bareAuth(url);
  await new Promise((done, fail) => {
    const req = http.get(url, { headers, agent: keepAlive, highWaterMark: LARGE_HWM }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        fail(new Error(`node:http GET: HTTP ${res.statusCode}`));
        return;
      }
      const h = createHash('sha256');
      res.on('data', (c) => h.update(c));
      res.on('end', () => done(h.digest()));
      res.on('error', fail);
    });
    req.on('error', fail);
  });
}

/** Closes the keep-alive sockets of `nodeHttpHashGet` so the process can exit. */
export const closeNodeHttp = () => keepAlive.destroy();

/** undici GET + SHA-256 + writing the file with a 4 MiB buffer: a pull of one layer, bare. */
export async function undiciFileGet(url, file) {
  const res = await request(url, { headers: await bareAuth(url) });
  expect200('bare GET to file', res.statusCode);
  const h = createHash('sha256');
  await pipeline(
    res.body,
    new Transform({
      transform(c, _e, cb) {
        h.update(c);
        cb(null, c);
      },
    }),
    createWriteStream(file, { highWaterMark: 4 * MiB }),
  );
  h.digest();
}

function requestHead(u, headers) {
  const lines = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return `GET ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\n${lines}\r\n`;
}

/**
 * GET over a bare socket (`onread` into one reused 1 MiB buffer), hashing every byte received,
 * until the response head and `size` body bytes have arrived: the machine's own ceiling for a
 * verified download, no HTTP library (the response head is hashed too; it is tiny).
 */
export async function socketHashGet(url, size) {
  const u = new URL(url);
  const headers = await bareAuth(url);
  const h = createHash('sha256');
  const buffer = Buffer.allocUnsafe(MiB);
  let total = 0;
  let headEnd = -1;
  let head = '';
  await new Promise((done, fail) => {
    const onRead = (n, buf) => {
      const chunk = buf.subarray(0, n);
      h.update(chunk);
      total += n;
      if (headEnd < 0) {
        head += chunk.toString('latin1');
        const i = head.indexOf('\r\n\r\n');
        if (i >= 0) {
          if (!head.startsWith('HTTP/1.1 200'))
            fail(new Error(`socket GET: ${head.split('\r\n')[0]}`));
          headEnd = i + 4;
        }
      }
      if (headEnd >= 0 && total - headEnd >= size) {
        sock.destroy();
        done();
      }
    };
    const sock = connect(
      { host: u.hostname, port: Number(u.port), onread: { buffer, callback: onRead } },
      () => sock.write(requestHead(u, headers)),
    );
    sock.on('error', fail);
    sock.on('close', () => fail(new Error(`socket GET: closed after ${total} bytes`)));
  });
  h.digest();
}

/**
 * A bare push of one blob as docker does it: POST, one streamed PATCH from `file`, PUT with the
 * digest.
 */
export async function barePushFile({ url, repo, file, digest, size }) {
  const uploads = `${url}/v2/${repo}/blobs/uploads/`;
  const started = await bare('POST', uploads, { expect: 202 });
  const patchUrl = new URL(started.res.headers.location, url).toString();
  const patch = await request(patchUrl, {
    method: 'PATCH',
    headers: {
      ...(await bareAuth(uploads)),
      'content-type': 'application/octet-stream',
      'content-length': String(size),
      'content-range': `0-${size - 1}`,
    },
    body: createReadStream(file, { highWaterMark: MiB }),
  });
  await drain(patch.body);
  if (patch.statusCode !== 202) throw new Error(`bare PATCH: HTTP ${patch.statusCode}`);
  const commit = new URL(patch.headers.location, url);
  commit.searchParams.set('digest', digest);
  const put = await request(commit, {
    method: 'PUT',
    headers: { ...(await bareAuth(uploads)), 'content-length': '0' },
  });
  await drain(put.body);
  if (put.statusCode !== 201) throw new Error(`bare PUT: HTTP ${put.statusCode}`);
}
