// A loopback HTTP proxy that forwards to one upstream (the real registry or the simulator) and
// injects scripted faults: statuses (429 with Retry-After, 503), resets in the middle of a body,
// corrupted bytes and delays. Test-only tooling shared by the packages' integration suites.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/** Which requests a fault applies to. */
export interface FaultMatch {
  readonly method?: string;
  /** Substring of, or pattern for, the path with query. */
  readonly path?: string | RegExp;
}

/** One scripted fault. Faults are consulted in order; the first with `times` left applies. */
export interface Fault {
  readonly match?: FaultMatch;
  /** How many matching requests it applies to (default 1). */
  readonly times?: number;
  /** Answer this status instead of forwarding (with a distribution-style error body). */
  readonly status?: number;
  /** `Retry-After` value to send with `status`. */
  readonly retryAfter?: string;
  /**
   * Forward, but destroy the connection after this many body bytes of the upstream answer (its
   * status line and headers are sent first); 0 drops the connection before any of the answer.
   */
  readonly resetAfterBytes?: number;
  /** Forward, but drop both connections after this many bytes of the request body (an upload cut off). */
  readonly resetAfterRequestBytes?: number;
  /** Forward, but flip one bit of the body byte at this offset. */
  readonly corruptAtByte?: number;
  /** Wait this long before answering. */
  readonly delayMs?: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** `host:port` of the proxy. */
  readonly host: string;
  /** Requests seen, as `METHOD path`, in order. */
  readonly log: string[];
  /** Adds faults to the script. */
  add(...faults: Fault[]): void;
  /** Removes every fault not yet used. */
  clear(): void;
  /** Stops the proxy. */
  close(): Promise<void>;
}

interface LiveFault {
  readonly fault: Fault;
  left: number;
}

function matches(fault: Fault, req: IncomingMessage): boolean {
  const m = fault.match;
  if (m === undefined) return true;
  if (m.method !== undefined && m.method !== req.method) return false;
  const path = req.url ?? '';
  if (m.path === undefined) return true;
  return typeof m.path === 'string' ? path.includes(m.path) : m.path.test(path);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a fault-injecting proxy on 127.0.0.1 in front of `upstream`.
 * The `Host` header is forwarded unchanged, so absolute `Location` URLs the upstream builds
 * from it point back at the proxy.
 */
export async function startFaultProxy(upstream: string, faults: Fault[] = []): Promise<FaultProxy> {
  const target = new URL(upstream);
  const script: LiveFault[] = faults.map((fault) => ({ fault, left: fault.times ?? 1 }));
  const log: string[] = [];

  const server: Server = createServer((req, res) => {
    void (async () => {
      log.push(`${req.method ?? 'GET'} ${req.url ?? ''}`);
      const live = script.find((f) => f.left > 0 && matches(f.fault, req));
      if (live !== undefined) live.left--;
      const fault = live?.fault;
      if (fault?.delayMs !== undefined) await sleep(fault.delayMs);
      if (fault?.status !== undefined) {
        req.resume();
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
        const code = fault.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE';
        res.writeHead(fault.status, headers);
        res.end(JSON.stringify({ errors: [{ code, message: `injected ${fault.status}` }] }));
        return;
      }
      const up = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (upRes) => {
          if (fault?.resetAfterBytes === 0) {
            upRes.destroy();
            res.socket?.destroy();
            return;
          }
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          let seen = 0;
          upRes.on('data', (chunk: Buffer) => {
            let out = chunk;
            const at = fault?.corruptAtByte;
            if (at !== undefined && at >= seen && at < seen + chunk.length) {
              out = Buffer.from(chunk);
              out[at - seen] = (out[at - seen] ?? 0) ^ 0x01;
            }
            const limit = fault?.resetAfterBytes;
            if (limit !== undefined && seen + out.length >= limit) {
              upRes.destroy();
              // Break the connection once the bytes before the cut are on their way: destroying
              // at once could discard them (and the status line) and cut the answer short.
              res.write(out.subarray(0, Math.max(0, limit - seen)), () => res.socket?.destroy());
              return;
            }
            seen += out.length;
            res.write(out);
          });
          upRes.on('end', () => res.end());
          upRes.on('error', () => res.socket?.destroy());
        },
      );
      up.on('error', () => res.socket?.destroy());
      const cut = fault?.resetAfterRequestBytes;
      if (cut === undefined) {
        req.pipe(up);
        return;
      }
      let sent = 0;
      let broken = false;
      req.on('data', (chunk: Buffer) => {
        if (broken) return;
        if (sent + chunk.length >= cut) {
          broken = true;
          up.write(chunk.subarray(0, Math.max(0, cut - sent)));
          sent = cut;
          req.pause();
          // Let the upstream take the bytes it got, then break both sides as a network drop would.
          setTimeout(() => {
            up.destroy();
            req.socket.destroy();
          }, 50);
          return;
        }
        sent += chunk.length;
        up.write(chunk);
      });
      req.on('end', () => up.end());
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    log,
    add: (...more) => script.push(...more.map((fault) => ({ fault, left: fault.times ?? 1 }))),
    clear: () => script.splice(0, script.length),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
