// How one host's TLS settings are worked out (`HostTls`, `defaultCertsRoots`): which files of a
// certs directory count, which client certificate is chosen, where the files are expected, and
// the exact file and message of each ConfigError. Certificates and keys are real ones made by
// openssl per run (tooling/registry/pki.ts); no server is needed.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, Secret } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issue, makeCa, type Issued } from '../../../tooling/registry/pki.js';
import { HostTls, defaultCertsRoots } from '../src/dispatch/certs-dir.js';

let work: string;
let ca: Issued;
let other: Issued;
let client: Issued;
let second: Issued;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'host-tls-'));
  ca = makeCa(join(work, 'pki'), 'ca');
  other = makeCa(join(work, 'pki'), 'other');
  client = issue(ca, join(work, 'pki'), 'client', 'client');
  second = issue(ca, join(work, 'pki'), 'second', 'client');
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A fresh folder holding the given files (name -> source file). */
function folder(files: Readonly<Record<string, string>>, parent = mkdtempSync(join(work, 'dir-')), name = 'h'): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, source] of Object.entries(files)) copyFileSync(source, join(dir, file));
  return dir;
}

/** The single issue of the ConfigError `fn` throws. */
function issueOf(fn: () => unknown): { path: string; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const { issues } = err as ConfigError;
    expect(issues).toHaveLength(1);
    return { path: issues[0]?.path ?? '', message: issues[0]?.message ?? '' };
  }
  throw new Error('expected a ConfigError');
}

describe('defaultCertsRoots', () => {
  it('an empty DOCKER_CONFIG counts as unset, and HOME falls back to the user home directory', () => {
    expect(defaultCertsRoots({ HOME: '/home/u', DOCKER_CONFIG: '' })[0]).toBe('/home/u/.docker/certs.d');
    expect(defaultCertsRoots({})).toEqual([
      join(homedir(), '.docker', 'certs.d'),
      join(homedir(), '.config', 'containers', 'certs.d'),
      '/etc/containers/certs.d',
      '/etc/docker/certs.d',
    ]);
  });
});

describe('HostTls', () => {
  it('is empty only without host entries and without roots', () => {
    expect(new HostTls().empty).toBe(true);
    expect(new HostTls({}, [work]).empty).toBe(false);
    expect(new HostTls({ h: { ca: [] } }).empty).toBe(false);
  });

  it('a host with nothing configured or found: no CAs, not configured, no directory', () => {
    const empty = mkdtempSync(join(work, 'root-'));
    expect(new HostTls({}, [empty]).settingsFor('h')).toEqual({ host: 'h', ca: [], configured: false });
  });

  it('a certs folder: every *.crt is a CA in name order, client.cert is preferred over other *.cert, other files are ignored', () => {
    const dir = folder({ 'b.crt': other.certFile, 'a.crt': ca.certFile, 'a.cert': second.certFile, 'client.cert': client.certFile, 'client.key': client.keyFile, 'z.cert': second.certFile, 'notes.txt': ca.certFile });
    const settings = new HostTls({}, [join(dir, '..')]).settingsFor('H');
    expect(settings.ca).toEqual([ca.cert, other.cert]);
    expect(settings.cert).toBe(client.cert);
    expect(settings.certFrom).toBe(join(dir, 'client.cert'));
    expect(settings.key?.reveal()).toBe(client.key);
    expect(settings.dir).toBe(dir);
    expect(settings.configured).toBe(true);
  });

  it('without client.cert, another NAME.cert with its NAME.key is the client certificate', () => {
    const dir = folder({ 'second.cert': second.certFile, 'second.key': second.keyFile });
    const settings = new HostTls({ h: { certDir: dir } }).settingsFor('h');
    expect(settings.certFrom).toBe(join(dir, 'second.cert'));
    expect(settings.key?.reveal()).toBe(second.key);
    expect(settings.ca).toEqual([]);
  });

  it('the first root holding the host folder wins, and the settings are read once per host (any case)', () => {
    const first = folder({ 'ca.crt': ca.certFile });
    const later = folder({ 'ca.crt': other.certFile });
    const tls = new HostTls({}, [mkdtempSync(join(work, 'none-')), join(first, '..'), join(later, '..')]);
    const settings = tls.settingsFor('h');
    expect(settings.ca).toEqual([ca.cert]);
    writeFileSync(join(first, 'ca.crt'), other.cert);
    expect(tls.settingsFor('H')).toBe(settings);
  });

  it('keeps the settings of up to 256 hosts: other hosts do not evict them, the 257th host starts afresh', () => {
    const file = join(mkdtempSync(join(work, 'ca-')), 'ca.pem');
    writeFileSync(file, ca.cert);
    const tls = new HostTls({ h: { ca: file } });
    expect(tls.settingsFor('h').ca).toEqual([ca.cert]);
    writeFileSync(file, other.cert);
    for (let i = 1; i < 256; i += 1) tls.settingsFor(`other-${String(i)}`);
    expect(tls.settingsFor('h').ca).toEqual([ca.cert]);
    tls.settingsFor('one-more');
    expect(tls.settingsFor('h').ca).toEqual([other.cert]);
  });

  it('a client certificate without its key in the folder names the certificate and the missing key', () => {
    const dir = folder({ 'client.cert': client.certFile });
    expect(issueOf(() => new HostTls({ h: { certDir: dir } }).settingsFor('h'))).toEqual({
      path: join(dir, 'client.cert'),
      message: "the client certificate's key client.key is missing (CA certificates must end in .crt)",
    });
  });

  it('a key without its certificate in the folder names the key and the certificate it needs', () => {
    const dir = folder({ 'client.cert': client.certFile, 'client.key': client.keyFile, 'ca.key': client.keyFile });
    expect(issueOf(() => new HostTls({ h: { certDir: dir } }).settingsFor('h'))).toEqual({
      path: join(dir, 'ca.key'),
      message: 'a client key without its certificate ca.cert (CA certificates must end in .crt)',
    });
  });

  it('a certDir that cannot be read names the directory and the reason', () => {
    const dir = join(work, 'no-such-dir');
    expect(issueOf(() => new HostTls({ h: { certDir: dir } }).settingsFor('h'))).toEqual({
      path: dir,
      message: 'cannot read the certificates directory for h (ENOENT)',
    });
  });

  it('configured pieces: a CA file path or PEM text, the key as text, file path or Secret', () => {
    const fromText = new HostTls({ h: { ca: ca.cert, cert: client.cert, key: client.key } }).settingsFor('h');
    expect(fromText).toEqual({ host: 'h', ca: [ca.cert], cert: client.cert, certFrom: 'configuration', key: expect.any(Secret) as unknown, configured: true });
    expect(fromText.key?.reveal()).toBe(client.key);
    const fromFiles = new HostTls({ h: { ca: [ca.certFile, other.cert], cert: client.certFile, key: Secret.from(client.keyFile) } }).settingsFor('h');
    expect(fromFiles.ca).toEqual([ca.cert, other.cert]);
    expect(fromFiles.certFrom).toBe(client.certFile);
    expect(fromFiles.key?.reveal()).toBe(client.key);
    expect(new HostTls({ h: { ca: [] } }).settingsFor('h')).toEqual({ host: 'h', ca: [], configured: true });
  });

  it('a configured file that cannot be read names it and what it was meant to be', () => {
    const missing = join(work, 'missing.pem');
    expect(issueOf(() => new HostTls({ h: { ca: missing } }).settingsFor('h'))).toEqual({ path: missing, message: 'cannot read the CA certificate for h (ENOENT)' });
    expect(issueOf(() => new HostTls({ h: { cert: client.cert, key: missing } }).settingsFor('h'))).toEqual({ path: missing, message: 'cannot read the client key for h (ENOENT)' });
  });

  it('a configured certificate without a key, or a key without a certificate, names the missing option', () => {
    expect(issueOf(() => new HostTls({ h: { cert: client.cert } }).settingsFor('h'))).toEqual({ path: 'tls.key', message: 'a client certificate for h needs both the certificate and its key' });
    expect(issueOf(() => new HostTls({ h: { key: client.key } }).settingsFor('h'))).toEqual({ path: 'tls.cert', message: 'a client certificate for h needs both the certificate and its key' });
  });

  it('a key that is not the certificate\'s, a certificate or key that is not PEM: named by where it came from, never echoed', () => {
    expect(issueOf(() => new HostTls({ h: { cert: client.cert, key: second.key } }).settingsFor('h'))).toEqual({
      path: 'configuration (tls.key)',
      message: 'the client key for h does not belong to the client certificate configuration',
    });
    const junk = join(work, 'junk.pem');
    writeFileSync(junk, 'not pem at all');
    expect(issueOf(() => new HostTls({ h: { cert: junk, key: client.key } }).settingsFor('h'))).toEqual({ path: junk, message: 'the client certificate for h is not a PEM certificate' });
    expect(issueOf(() => new HostTls({ h: { cert: client.cert, key: junk } }).settingsFor('h'))).toEqual({ path: junk, message: 'the client key for h is not a PEM private key' });
  });

  it('expectedDir: the configured certDir, else the folder found, else the first root\'s HOST folder, else nothing', () => {
    const found = folder({}, mkdtempSync(join(work, 'root-')), 'r:5000');
    const empty = mkdtempSync(join(work, 'root-'));
    const tls = new HostTls({ 'c:1': { certDir: '/somewhere' } }, [empty, join(found, '..')]);
    expect(tls.expectedDir('C:1')).toBe('/somewhere');
    expect(tls.expectedDir('R:5000')).toBe(found);
    expect(tls.expectedDir('New:1')).toBe(join(empty, 'new:1'));
    expect(new HostTls().expectedDir('h')).toBeUndefined();
  });
});
