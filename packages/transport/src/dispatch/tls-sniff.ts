import { connect, isIP } from 'node:net';
import type { HostScheme } from './scheme.js';

/** TLS record content types a TLS server opens its answer with: handshake, alert. */
const TLS_HANDSHAKE = 0x16;
const TLS_ALERT = 0x15;

/** Cipher suites offered: TLS 1.3's, then the common ECDHE and RSA TLS 1.2 ones. */
const SUITES = [
  0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0x009c, 0x009d, 0x002f,
  0x0035,
];
/** Named groups: x25519, secp256r1, secp384r1. */
const GROUPS = [0x001d, 0x0017, 0x0018];
/** Signature schemes: ECDSA, RSA-PSS and RSA PKCS#1 with SHA-256/384/512, then SHA-1. */
const SIGNATURES = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201];

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

function u24(n: number): number[] {
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** A TLS extension: type, then its data with a 16-bit length. */
function extension(type: number, data: readonly number[]): number[] {
  return [...u16(type), ...u16(data.length), ...data];
}

/** A list of 16-bit values with a length prefix of `prefix` bytes. */
function list16(values: readonly number[], prefix: 1 | 2): number[] {
  const bytes = values.flatMap(u16);
  return [...(prefix === 1 ? [bytes.length] : u16(bytes.length)), ...bytes];
}

/**
 * A TLS ClientHello (TLS 1.2 and 1.3) for `hostname`, as one record. It is never meant to
 * complete a handshake: any TLS server answers it with a handshake record (a server hello, or a
 * hello retry request, since it carries no key share) or an alert. Its random field ends in
 * `\r\n\r\n`, so an HTTP server reading it as a request finds the end of a (malformed) header
 * block and answers 400 at once instead of waiting for more.
 * @param hostname - the server's name, sent as SNI unless it is an IP address
 * @returns the record's bytes
 * @internal
 */
export function clientHello(hostname: string): Buffer {
  const random = [
    ...Buffer.from('which scheme? asks dhub.', 'latin1'),
    0x20,
    0x20,
    0x20,
    0x20,
    0x0d,
    0x0a,
    0x0d,
    0x0a,
  ];
  const name = [...Buffer.from(hostname, 'ascii')];
  const extensions = [
    ...(isIP(hostname) === 0 && hostname !== ''
      ? [extension(0x0000, [...u16(name.length + 3), 0x00, ...u16(name.length), ...name])]
      : []),
    extension(0x000a, list16(GROUPS, 2)),
    extension(0x000b, [0x01, 0x00]),
    extension(0x000d, list16(SIGNATURES, 2)),
    extension(0x002b, list16([0x0304, 0x0303], 1)),
  ].flat();
  const body = [
    0x03,
    0x03,
    ...random,
    0x00,
    ...list16(SUITES, 2),
    0x01,
    0x00,
    ...u16(extensions.length),
    ...extensions,
  ];
  const handshake = [0x01, ...u24(body.length), ...body];
  return Buffer.from([TLS_HANDSHAKE, 0x03, 0x01, ...u16(handshake.length), ...handshake]);
}

/**
 * What the first bytes a server sent back to a ClientHello say about its port: a TLS record
 * (handshake or alert) means HTTPS, an HTTP status line means plain HTTP, anything else says
 * nothing.
 * @param first - the first bytes received
 * @returns the scheme, or undefined
 * @internal
 */
export function schemeOfAnswer(first: Buffer): HostScheme | undefined {
  const type = first[0];
  if (type === TLS_HANDSHAKE || type === TLS_ALERT)
    return first.length < 2 || first[1] === 0x03 ? 'https' : undefined;
  return first.subarray(0, 5).toString('latin1') === 'HTTP/' ? 'http' : undefined;
}

/**
 * Asks a port whether it speaks TLS without TLS: one TCP connection, a ClientHello, and the first
 * bytes of the answer (see {@link schemeOfAnswer}). Much cheaper than an HTTPS request (no TLS
 * context, no certificate store), so loopback and insecure registries cost little to probe.
 * Connection failures, silence until the timeout and unclear answers resolve undefined: the
 * caller then asks the way it otherwise would.
 * @param host - `host[:port]` as in a URL (port 443 when absent)
 * @param timeoutMs - bound on the connect and on the wait for the first bytes
 * @returns the scheme, or undefined when the answer does not tell
 * @internal
 */
export function sniffScheme(host: string, timeoutMs: number): Promise<HostScheme | undefined> {
  const url = new URL(`https://${host}`);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? 443 : Number(url.port);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port });
    let received = Buffer.alloc(0);
    const done = (scheme: HostScheme | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(scheme);
    };
    const timer = setTimeout(() => {
      done(undefined);
    }, timeoutMs);
    socket.once('connect', () => {
      socket.write(clientHello(hostname));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // Five bytes tell "HTTP/" from a TLS record header; fewer may already be a TLS record type.
      if (received.length >= 5 || received[0] === TLS_HANDSHAKE || received[0] === TLS_ALERT)
        done(schemeOfAnswer(received));
    });
    socket.once('end', () => {
      done(received.length > 0 ? schemeOfAnswer(received) : undefined);
    });
    socket.once('error', () => {
      done(undefined);
    });
  });
}
