import { AbortedError, AuthenticationError, CircuitOpenError, ImageReference, NetworkError, TimeoutError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { DockerHubConfig } from '../config/docker-hub-config.js';
import { failoverReason, mirrorsFor } from './mirrors.js';

describe('failoverReason', () => {
  it('moves on after a 404 or a 5xx answer, not after other statuses', () => {
    expect(failoverReason({ status: 404 })).toBe('status 404');
    expect(failoverReason({ status: 503 })).toBe('status 503');
    expect(failoverReason({ status: 501 })).toBe('status 501');
    for (const status of [200, 401, 403, 429]) expect(failoverReason({ status })).toBeUndefined();
  });

  it('moves on after connection failures and timeouts, never after an abort, the total deadline or a refusal', () => {
    expect(failoverReason({ error: new NetworkError('x', { causeCode: 'ECONNREFUSED' }) })).toBe('NETWORK');
    expect(failoverReason({ error: new NetworkError('x', { causeCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }) })).toBe('NETWORK');
    expect(failoverReason({ error: new TimeoutError('headers', 1000, { what: 'x' }) })).toBe('TIMEOUT');
    expect(failoverReason({ error: new TimeoutError('total', 1000, { what: 'x' }) })).toBeUndefined();
    expect(failoverReason({ error: new AbortedError('x') })).toBeUndefined();
    expect(failoverReason({ error: new AuthenticationError('no', {}) })).toBeUndefined();
    expect(failoverReason({ error: new Error('plain') })).toBeUndefined();
  });

  it('moves on when the mirror circuit is open', () => {
    expect(failoverReason({ error: new CircuitOpenError('mirror.test', new Date(0)) })).toBe('CIRCUIT_OPEN');
  });
});

describe('mirrorsFor', () => {
  const mirrors = { 'docker.io': ['https://m1.test', 'https://m2.test'], 'reg.test:5000': ['https://m3.test'] };
  const hub = ImageReference.parse('alpine');
  it('applies to manifest and blob GETs of the mirrored registry only', () => {
    expect(mirrorsFor(mirrors, hub, 'GET', 'manifests/latest')).toEqual(['https://m1.test', 'https://m2.test']);
    expect(mirrorsFor(mirrors, hub, 'GET', 'blobs/sha256:abc')).toHaveLength(2);
    expect(mirrorsFor(mirrors, ImageReference.parse('REG.test:5000/a/b'), 'GET', 'manifests/x')).toEqual(['https://m3.test']);
    expect(mirrorsFor(mirrors, hub, 'HEAD', 'manifests/latest')).toEqual([]);
    expect(mirrorsFor(mirrors, hub, 'PUT', 'manifests/latest')).toEqual([]);
    expect(mirrorsFor(mirrors, hub, 'GET', 'blobs/uploads/123')).toEqual([]);
    expect(mirrorsFor(mirrors, hub, 'GET', 'tags/list')).toEqual([]);
    expect(mirrorsFor(mirrors, ImageReference.parse('ghcr.io/a/b'), 'GET', 'manifests/x')).toEqual([]);
  });
});

describe('mirror and TLS configuration', () => {
  it('DOCKER_REGISTRY_MIRRORS is a comma list of mirrors for docker.io', () => {
    const config = DockerHubConfig.fromEnv({ DOCKER_REGISTRY_MIRRORS: 'https://a.test/, http://127.0.0.1:5001 ,' });
    expect(config.mirrors).toEqual({ 'docker.io': ['https://a.test', 'http://127.0.0.1:5001'] });
  });

  it('refuses a mirror that is no http(s) URL, and a client certificate without its key', () => {
    expect(() => DockerHubConfig.parse({ mirrors: { 'docker.io': ['ftp://x'] } })).toThrow(/mirrors\.docker\.io\.0: must be an http\(s\) URL/);
    expect(() => DockerHubConfig.parse({ tls: { 'reg.test': { cert: '/c.pem' } } })).toThrow(/tls\.reg\.test\.key: cert and key go together/);
  });

  it('keeps the client key a secret', () => {
    const config = DockerHubConfig.parse({ tls: { 'reg.test': { cert: '/c.pem', key: '-----BEGIN PRIVATE KEY-----\nSECRETKEYBODY\n' } } });
    expect(JSON.stringify(config)).not.toContain('SECRETKEYBODY');
    expect(config.tls['reg.test']?.key?.reveal()).toContain('SECRETKEYBODY');
  });
});

describe('the builder', () => {
  it('sets mirrors and TLS settings per registry', () => {
    const config = DockerHubConfig.builder()
      .mirrors('docker.io', 'https://m1.test', 'https://m2.test/')
      .tls('reg.test:5000', { certDir: '/etc/certs/reg', cert: '/c.pem', key: '/k.pem' })
      .build();
    expect(config.mirrors).toEqual({ 'docker.io': ['https://m1.test', 'https://m2.test'] });
    expect(config.tls['reg.test:5000']).toMatchObject({ certDir: '/etc/certs/reg', cert: '/c.pem' });
    expect(String(config.tls['reg.test:5000']?.key)).toBe('[REDACTED]');
  });
});
