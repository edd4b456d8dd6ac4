import { Agent, type Dispatcher, ProxyAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { proxyFromEnvironment, type ProxyOptions, ProxyRouter } from './proxy.js';

describe('proxyFromEnvironment', () => {
  it('gives undefined when neither HTTPS_PROXY nor HTTP_PROXY is set (blank counts as unset)', () => {
    expect(proxyFromEnvironment({})).toBeUndefined();
    expect(proxyFromEnvironment({ NO_PROXY: 'x.test' })).toBeUndefined();
    expect(proxyFromEnvironment({ https_proxy: '  ', HTTP_PROXY: '' })).toBeUndefined();
  });

  it('reads the lower-case names first, trims values and keeps the schemes apart', () => {
    expect(
      proxyFromEnvironment({
        https_proxy: ' http://lower:3128 ',
        HTTPS_PROXY: 'http://upper:3128',
        HTTP_PROXY: 'http://plain:8080',
        no_proxy: 'a.test, b.test',
      }),
    ).toEqual({
      url: 'http://lower:3128',
      httpUrl: 'http://plain:8080',
      noProxy: 'a.test, b.test',
    });
    expect(proxyFromEnvironment({ HTTPS_PROXY: 'http://upper:3128', NO_PROXY: ' ' })).toEqual({
      url: 'http://upper:3128',
      httpUrl: undefined,
      noProxy: undefined,
    });
    expect(proxyFromEnvironment({ http_proxy: 'http://plain:8080' })).toEqual({
      url: undefined,
      httpUrl: 'http://plain:8080',
      noProxy: undefined,
    });
  });
});

/** A ProxyRouter over real (never connected) undici agents whose routing can be read directly. */
class Probe extends ProxyRouter {
  readonly made: string[];
  readonly names: Map<Dispatcher, string>;
  constructor(options: ProxyOptions) {
    const made: string[] = [];
    const names = new Map<Dispatcher, string>();
    const direct = new Agent();
    names.set(direct, 'direct');
    super(direct, options, (url) => {
      made.push(url);
      const agent = new ProxyAgent(url);
      names.set(agent, `proxy ${url}`);
      return agent;
    });
    this.made = made;
    this.names = names;
  }

  to(origin: string | URL | undefined): string | undefined {
    return this.names.get(this.route(origin));
  }

  all(): (string | undefined)[] {
    return this.dispatchers().map((d) => this.names.get(d));
  }
}

describe('ProxyRouter', () => {
  it('sends HTTPS and plain HTTP through one proxy when only url is set, made once', () => {
    const router = new Probe({ url: 'http://p:3128' });
    expect(router.to('https://reg.test')).toBe('proxy http://p:3128');
    expect(router.to(new URL('http://reg.test:5000'))).toBe('proxy http://p:3128');
    expect(router.made).toEqual(['http://p:3128']);
    expect(router.all()).toEqual(['direct', 'proxy http://p:3128']);
  });

  it('uses httpUrl for plain HTTP and url for HTTPS', () => {
    const router = new Probe({ url: 'http://s:1', httpUrl: 'http://h:2' });
    expect(router.to('https://reg.test')).toBe('proxy http://s:1');
    expect(router.to('http://reg.test')).toBe('proxy http://h:2');
    expect(router.all()).toEqual(['direct', 'proxy http://s:1', 'proxy http://h:2']);
  });

  it('goes direct for a scheme without a proxy and for a request without an origin', () => {
    const httpOnly = new Probe({ httpUrl: 'http://h:2' });
    expect(httpOnly.to('https://reg.test')).toBe('direct');
    expect(httpOnly.to('http://reg.test')).toBe('proxy http://h:2');
    expect(httpOnly.to(undefined)).toBe('direct');
    expect(httpOnly.all()).toEqual(['direct', 'proxy http://h:2']);
    const none = new Probe({});
    expect(none.to('https://reg.test')).toBe('direct');
    expect(none.made).toEqual([]);
    expect(none.all()).toEqual(['direct']);
  });

  it('checks NO_PROXY entries with a port against the default port of the scheme', () => {
    const router = new Probe({
      url: 'http://p:1',
      noProxy: 'secure.test:443, plain.test:80, odd.test:8443',
    });
    expect(router.to('https://secure.test')).toBe('direct');
    expect(router.to('http://secure.test')).toBe('proxy http://p:1');
    expect(router.to('http://plain.test')).toBe('direct');
    expect(router.to('https://plain.test')).toBe('proxy http://p:1');
    expect(router.to('https://odd.test:8443')).toBe('direct');
    expect(router.to('https://odd.test')).toBe('proxy http://p:1');
  });
});
