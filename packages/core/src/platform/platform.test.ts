import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-errors.js';
import { Platform } from './platform.js';

describe('Platform.parse', () => {
  it.each([
    ['linux/amd64', 'linux', 'amd64', undefined, undefined],
    ['linux/arm64/v8', 'linux', 'arm64', 'v8', undefined],
    ['linux/arm/v7', 'linux', 'arm', 'v7', undefined],
    ['windows(10.0.17763)/amd64', 'windows', 'amd64', undefined, '10.0.17763'],
    ['Linux/AMD64', 'linux', 'amd64', undefined, undefined],
    ['linux/ppc64le/power9', 'linux', 'ppc64le', 'power9', undefined],
  ])('parses %s', (text, os, architecture, variant, osVersion) => {
    const p = Platform.parse(text);
    expect({
      os: p.os,
      architecture: p.architecture,
      variant: p.variant,
      osVersion: p.osVersion,
    }).toEqual({
      os,
      architecture,
      variant,
      osVersion,
    });
    expect(Platform.parse(p.toString()).equals(p)).toBe(true);
    expect(Platform.tryParse(text)?.toString()).toBe(p.toString());
  });

  it.each([
    ['', 'not os/architecture'],
    ['linux', 'not os/architecture'],
    ['linux/amd64/v1/extra', 'not os/architecture'],
    ['/amd64', 'empty os'],
    ['linux/', 'empty architecture'],
    ['linux/amd64/', 'empty variant'],
    ['linux/am d64', 'invalid architecture'],
    ['li$nux/amd64', 'invalid os'],
    ['linux/arm/V7!', 'invalid variant'],
    ['windows()/amd64', 'invalid OS version'],
  ])('rejects %j', (text, fragment) => {
    expect(() => Platform.parse(text)).toThrow(ValidationError);
    expect(() => Platform.parse(text)).toThrow(fragment);
    expect(Platform.tryParse(text)).toBeUndefined();
    try {
      Platform.parse(text);
    } catch (err) {
      expect((err as ValidationError).code).toBe('INVALID_PLATFORM');
    }
  });
});

describe('Platform construction and forms', () => {
  it('has shortcuts and from()', () => {
    expect(Platform.linuxAmd64().toString()).toBe('linux/amd64');
    expect(Platform.linuxArm64().toString()).toBe('linux/arm64/v8');
    expect(Platform.from({ os: 'linux', architecture: 'arm', variant: 'v6' }).toString()).toBe(
      'linux/arm/v6',
    );
    expect(
      Platform.from({ os: 'linux', architecture: 'arm', variant: '' }).variant,
    ).toBeUndefined();
    expect(
      Platform.from({ os: 'windows', architecture: 'amd64', osVersion: '10.0.1' }).toString(),
    ).toBe('windows(10.0.1)/amd64');
    expect(() => Platform.from({ os: 'linux', architecture: '' })).toThrow('empty architecture');
    expect(JSON.stringify({ p: Platform.linuxAmd64() })).toBe('{"p":"linux/amd64"}');
    expect(
      Platform.fromObject({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' })
        .osVersion,
    ).toBe('10.0.17763.1');
  });

  it('normalizes like containerd', () => {
    const cases: [string, string][] = [
      ['linux/aarch64', 'linux/arm64'],
      ['linux/arm64/v8', 'linux/arm64'],
      ['linux/arm64/8', 'linux/arm64'],
      ['linux/arm64/v8.2', 'linux/arm64/v8.2'],
      ['linux/arm', 'linux/arm/v7'],
      ['linux/arm/7', 'linux/arm/v7'],
      ['linux/arm/6', 'linux/arm/v6'],
      ['linux/armhf', 'linux/arm/v7'],
      ['linux/armel', 'linux/arm/v6'],
      ['linux/x86_64', 'linux/amd64'],
      ['linux/x86-64/v1', 'linux/amd64'],
      ['linux/amd64/v3', 'linux/amd64/v3'],
      ['linux/i386', 'linux/386'],
      ['linux/riscv64/rva20u64', 'linux/riscv64/rva20u64'],
    ];
    for (const [input, normalized] of cases) {
      expect(Platform.parse(input).normalize().toString()).toBe(normalized);
      expect(Platform.parse(input).equals(Platform.parse(normalized))).toBe(true);
    }
    expect(Platform.parse('windows(10.0)/amd64').normalize().osVersion).toBe('10.0');
  });

  it('equals and matches apply the normalizations', () => {
    const arm64 = Platform.parse('linux/arm64');
    expect(arm64.equals(Platform.parse('linux/arm64/v8'))).toBe(true);
    expect(arm64.matches({ os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(true);
    expect(arm64.matches({ os: 'linux', architecture: 'aarch64' })).toBe(true);
    expect(arm64.matches({ os: 'linux', architecture: 'arm', variant: 'v8' })).toBe(false);
    expect(arm64.matches(undefined)).toBe(false);
    expect(
      Platform.parse('linux/arm').matches({ os: 'linux', architecture: 'arm', variant: 'v7' }),
    ).toBe(true);
    expect(
      Platform.parse('linux/arm').matches({ os: 'linux', architecture: 'arm', variant: 'v6' }),
    ).toBe(false);
    expect(Platform.parse('linux/x86_64').matches(Platform.linuxAmd64())).toBe(true);
    expect(Platform.linuxAmd64().matches({ os: 'windows', architecture: 'amd64' })).toBe(false);
    expect(Platform.linuxAmd64().equals(Platform.parse('linux/amd64/v2'))).toBe(false);
  });

  it('matches OS versions by prefix on a dot boundary', () => {
    const win = Platform.parse('windows(10.0.17763)/amd64');
    expect(
      win.matches({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5329' }),
    ).toBe(true);
    expect(win.matches({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763' })).toBe(
      true,
    );
    expect(win.matches({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.177630' })).toBe(
      false,
    );
    expect(win.matches({ os: 'windows', architecture: 'amd64' })).toBe(false);
    expect(
      Platform.parse('windows/amd64').matches({
        os: 'windows',
        architecture: 'amd64',
        'os.version': '1',
      }),
    ).toBe(true);
    expect(win.equals(Platform.parse('windows/amd64'))).toBe(false);
  });
});
