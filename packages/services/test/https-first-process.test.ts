// HTTPS first for loopback registries is paid once per host for the process: two DockerHubClients
// talking to one real registry (docker-registry, plain HTTP) through a counting TCP forwarder send
// one TLS ClientHello in total. When the registry behind the same port is replaced by one serving
// TLS (CA made for the run), the remembered "plain" does not stick: one call fails, the next
// probes again and goes over HTTPS.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issue, makeCa, type Issued } from '../../../tooling/registry/pki.js';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { DockerHubClient } from '../src/index.js';

/** A TCP forwarder to a switchable backend port, counting connections and TLS ClientHellos. */
interface Forwarder {
  readonly host: string;
  handshakes: number;
  connections: number;
  /** Points new connections at another port and drops the open ones (a restart, seen from outside). */
  switchTo(port: number): void;
  close(): Promise<void>;
}

async function forwarder(initialPort: number): Promise<Forwarder> {
  let backend = initialPort;
  const open = new Set<Socket>();
  const f = { handshakes: 0, connections: 0 } as Forwarder;
  const server: Server = createServer((socket) => {
    f.connections += 1;
    const upstream = connect(backend, '127.0.0.1');
    for (const s of [socket, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => {
        socket.destroy();
        upstream.destroy();
      });
    }
    socket.once('data', (chunk: Buffer) => {
      if (chunk[0] === 0x16) f.handshakes += 1;
    });
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(f, {
    host: `127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    switchTo(port: number) {
      backend = port;
      for (const s of open) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  });
}

const portOf = (reg: RealRegistry): number => Number(reg.host.split(':')[1]);

describe('HTTPS first, remembered for the process', () => {
  let work: string;
  let ca: Issued;
  let plain: RealRegistry;
  let secure: RealRegistry;
  let fwd: Forwarder;
  const clients: DockerHubClient[] = [];
  const client = (): DockerHubClient => {
    const c = new DockerHubClient({ resilience: { maxRetries: 0 } }, { env: { DOCKER_CONFIG: work } });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'https-first-'));
    ca = makeCa(join(work, 'pki'), 'ca');
    const cert = issue(ca, join(work, 'pki'), 'registry', 'server');
    [plain, secure] = await Promise.all([
      startRealRegistry({ auth: 'none' }),
      startRealRegistry({ auth: 'none', tls: { certificate: cert.certFile, key: cert.keyFile } }),
    ]);
    fwd = await forwarder(portOf(plain));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await fwd.close();
    await Promise.all([plain.stop(), secure.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  it('two clients against one TLS-less loopback registry probe TLS once in total', async () => {
    const image = buildImage({ seed: 'https-first' });
    const ref = `${fwd.host}/team/app:v1`;
    await image.push(client(), ref);
    const read = await client().manifests.get(ref);
    expect(read.digest).toBe(image.digest);
    expect(await client().tags.list(`${fwd.host}/team/app`)).toEqual(['v1']);
    expect(fwd.connections).toBeGreaterThan(1);
    expect(fwd.handshakes).toBe(1);
  });

  it('the registry restarted with TLS on the same port: one call fails, the next goes over HTTPS', async () => {
    fwd.switchTo(portOf(secure));
    const before = fwd.handshakes;
    const c = client();
    const ref = `${fwd.host}/team/app:v1`;
    // The remembered "plain" sends HTTP to a TLS port; Go answers 400 and the answer is dropped.
    // (exists() falls back from HEAD to GET, so the GET of the same call may already probe.)
    await expect(c.manifests.exists(ref)).rejects.toThrow();
    // Probed again: the port speaks TLS, so HTTPS, even though this client does not trust the CA:
    // the error is about the certificate, not a plain-HTTP answer.
    const untrusted = await c.manifests.exists(ref).catch((e: unknown) => e);
    expect((untrusted as Error).message).toContain(`https://${fwd.host}/`);
    expect((untrusted as Error).message).toMatch(/certificate/i);
    expect(fwd.handshakes).toBeGreaterThan(before);
    // A client trusting the CA for the host reads the (empty) TLS registry: the image is not there.
    const trusting = new DockerHubClient({ resilience: { maxRetries: 0 }, tls: { [fwd.host]: { ca: ca.cert } } }, { env: { DOCKER_CONFIG: work } });
    clients.push(trusting);
    expect(await trusting.manifests.exists(ref)).toBe(false);
  });
});
