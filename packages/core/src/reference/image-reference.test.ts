import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../errors/validation-errors.js';
import { ImageReference } from './image-reference.js';

const F64 = 'f'.repeat(64);
const SHA = `sha256:${F64}`;

/** Valid inputs and their normalized parts [registry, repository, tag, digest] (distribution's tables). */
const VALID: readonly (readonly [
  string,
  string,
  string,
  string | undefined,
  string | undefined,
])[] = [
  ['alpine', 'docker.io', 'library/alpine', 'latest', undefined],
  ['alpine:3.19', 'docker.io', 'library/alpine', '3.19', undefined],
  ['ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04', undefined],
  ['bitnami/redis', 'docker.io', 'bitnami/redis', 'latest', undefined],
  ['docker.io/ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined],
  ['docker.io/library/ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined],
  ['index.docker.io/library/ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined],
  ['index.docker.io/debian', 'docker.io', 'library/debian', 'latest', undefined],
  ['index.docker.io/docker/docker', 'docker.io', 'docker/docker', 'latest', undefined],
  [
    'registry-1.docker.io/library/ubuntu',
    'registry-1.docker.io',
    'library/ubuntu',
    'latest',
    undefined,
  ],
  ['localhost/foo', 'localhost', 'foo', 'latest', undefined],
  ['localhost/library/debian', 'localhost', 'library/debian', 'latest', undefined],
  ['localhost:5000/a/b:t', 'localhost:5000', 'a/b', 't', undefined],
  ['LOCALDOMAIN/debian', 'LOCALDOMAIN', 'debian', 'latest', undefined],
  ['Docker/docker', 'Docker', 'docker', 'latest', undefined],
  ['Example.com/foo', 'Example.com', 'foo', 'latest', undefined],
  ['example.com/ubuntu', 'example.com', 'ubuntu', 'latest', undefined],
  [`ghcr.io/o/r@${SHA}`, 'ghcr.io', 'o/r', undefined, SHA],
  ['[::1]:5000/x', '[::1]:5000', 'x', 'latest', undefined],
  ['[2001:db8::1]/repo', '[2001:db8::1]', 'repo', 'latest', undefined],
  ['[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]', 'repo', 'tag', undefined],
  ['[2001:db8::1]:5000/repo', '[2001:db8::1]:5000', 'repo', 'latest', undefined],
  [`[2001:db8::1]:5000/repo:tag@${SHA}`, '[2001:db8::1]:5000', 'repo', 'tag', SHA],
  ['[2001:db8::]:5000/repo', '[2001:db8::]:5000', 'repo', 'latest', undefined],
  [
    '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
    '[fc00:1:2:3:4:5:6:7]:5000',
    'library/debian',
    'latest',
    undefined,
  ],
  ['test_com', 'docker.io', 'library/test_com', 'latest', undefined],
  ['test.com:tag', 'docker.io', 'library/test.com', 'tag', undefined],
  ['test.com:5000', 'docker.io', 'library/test.com', '5000', undefined],
  ['test.com/repo:tag', 'test.com', 'repo', 'tag', undefined],
  ['test:5000/repo', 'test:5000', 'repo', 'latest', undefined],
  ['test:5000/repo:tag', 'test:5000', 'repo', 'tag', undefined],
  [`test:5000/repo@${SHA}`, 'test:5000', 'repo', undefined, SHA],
  [`test:5000/repo:tag@${SHA}`, 'test:5000', 'repo', 'tag', SHA],
  ['lowercase:Uppercase', 'docker.io', 'library/lowercase', 'Uppercase', undefined],
  ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com', 'bar/baz/quux', 'latest', undefined],
  [
    'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
    'sub-dom1.foo.com',
    'bar/baz/quux',
    'some-long-tag',
    undefined,
  ],
  [
    'b.gcr.io/test.example.com/my-app:test.example.com',
    'b.gcr.io',
    'test.example.com/my-app',
    'test.example.com',
    undefined,
  ],
  ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com', 'myimage', 'xn--n3h.com', undefined],
  [`xn--7o8h.com/myimage:xn--7o8h.com@${SHA}`, 'xn--7o8h.com', 'myimage', 'xn--7o8h.com', SHA],
  ['foo_bar.com:8080', 'docker.io', 'library/foo_bar.com', '8080', undefined],
  ['foo/foo_bar.com:8080', 'docker.io', 'foo/foo_bar.com', '8080', undefined],
  ['192.168.1.1', 'docker.io', 'library/192.168.1.1', 'latest', undefined],
  ['192.168.1.1:tag', 'docker.io', 'library/192.168.1.1', 'tag', undefined],
  ['192.168.1.1/repo', '192.168.1.1', 'repo', 'latest', undefined],
  ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000', 'repo', '5050', undefined],
  ['127.0.0.1:5000/docker/docker', '127.0.0.1:5000', 'docker/docker', 'latest', undefined],
  ['docker-rules/docker', 'docker.io', 'docker-rules/docker', 'latest', undefined],
  ['docker---rules/docker', 'docker.io', 'docker---rules/docker', 'latest', undefined],
  ['dock__er/docker', 'docker.io', 'dock__er/docker', 'latest', undefined],
  ['d/docker', 'docker.io', 'd/docker', 'latest', undefined],
  ['jess/t', 'docker.io', 'jess/t', 'latest', undefined],
  ['library/foo/bar', 'docker.io', 'library/foo/bar', 'latest', undefined],
  ['other/library', 'docker.io', 'other/library', 'latest', undefined],
  [
    `docker.io/${'1a3f5e7d'.repeat(8)}`,
    'docker.io',
    `library/${'1a3f5e7d'.repeat(8)}`,
    'latest',
    undefined,
  ],
  [`${'1a3f5e7d'.repeat(8)}:tag`, 'docker.io', `library/${'1a3f5e7d'.repeat(8)}`, 'tag', undefined],
  [
    'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    'docker.io',
    'library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    'latest',
    undefined,
  ],
  [
    `busybox:latest@sha256:${'86e0e091'.repeat(8)}`,
    'docker.io',
    'library/busybox',
    'latest',
    `sha256:${'86e0e091'.repeat(8)}`,
  ],
  [
    `${'a/'.repeat(127)}a:tag-puts-this-over-max`,
    'docker.io',
    `${'a/'.repeat(127)}a`,
    'tag-puts-this-over-max',
    undefined,
  ],
  [`example.com/${'a'.repeat(255)}:tag`, 'example.com', 'a'.repeat(255), 'tag', undefined],
  [`x:${'t'.repeat(128)}`, 'docker.io', 'library/x', 't'.repeat(128), undefined],
  [`r@sha512:${'0'.repeat(128)}`, 'docker.io', 'library/r', undefined, `sha512:${'0'.repeat(128)}`],
];

/** Invalid inputs and a fragment of the message that says what is wrong. */
const INVALID: readonly (readonly [string, string])[] = [
  ['', 'empty'],
  [':justtag', 'repository name is missing'],
  [`@${SHA}`, 'repository name is missing'],
  ['repo@sha256:ffffffffffffffffffffffffffffffffff', 'must have 64 hex characters'],
  [`validname@invaliddigest:${F64}`, 'unsupported digest algorithm'],
  [`validname@sha384:${'f'.repeat(96)}`, 'unsupported digest algorithm'],
  [`repo@sha256:${'F'.repeat(64)}`, "invalid character 'F'"],
  ['Uppercase:tag', 'must be lowercase'],
  ['Ubuntu', 'must be lowercase'],
  ['test:5000/Uppercase/lowercase:tag', 'must be lowercase'],
  ['docker/Docker', 'must be lowercase'],
  ['docker.io/docker/Docker', 'must be lowercase'],
  [`domain/${'a'.repeat(256)}:tag`, 'maximum is 255'],
  ['a'.repeat(248), 'maximum is 255'],
  ['aa/asdf$$^/aa', "invalid character '$' at index 7"],
  ['[2001:db8::1]', "invalid character ']' at index 12 in tag"],
  ['[2001:db8::1]:5000', "invalid character '[' at index 0"],
  ['[2001:db8::1]:tag', "invalid character '['"],
  ['[fe80::1%eth0]:5000/repo', "invalid character '%' at index 8"],
  ['[fe80::1%@invalidzone]:5000/repo', "invalid character '%'"],
  ['[2001:db8:3:4::192.0.2.33]:5000/debian', 'IPv6'],
  ['fc00::1:5000/debian', 'not a valid host name'],
  ['https://github.com/docker/docker', 'no URL scheme; remove "https://"'],
  ['http://localhost:5000/x', 'remove "http://"'],
  ['-docker', 'must start with a lowercase letter or digit'],
  ['-docker/docker', 'must start with a lowercase letter or digit'],
  ['docker-/docker', 'must end with a lowercase letter or digit'],
  ['-docker-/docker', 'must start'],
  ['-docker.io/docker/docker', 'not a valid host name'],
  ['docker///docker', 'empty path component at index 7'],
  ['docker.io/docker///docker', 'empty path component'],
  ['a//b', 'empty path component at index 2'],
  ['docker/', 'empty path component at index 7'],
  ['/alpine', 'empty path component at index 0'],
  ['____/____', 'must start'],
  ['_docker/_docker', 'must start'],
  ['x/dock..er', 'invalid separator ".." at index 6'],
  ['dock..er/docker', 'not a valid host name'],
  ['dock_.er', 'invalid separator "_."'],
  ['x/dock-.er', 'invalid separator "-."'],
  ['dock___er/docker', 'invalid separator "___"'],
  [F64, 'image ID'],
  ['1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', 'image ID'],
  ['alpine:', 'tag is empty'],
  ['alpine:-x', 'must start with a letter, digit'],
  ['alpine:.x', 'must start with a letter, digit'],
  [`alpine:${'t'.repeat(129)}`, 'maximum is 128'],
  ['alpine@', 'is empty'],
  [`alpine@${SHA}@${SHA}`, "second '@'"],
  ['alpine@sha256', "has no ':'"],
  [`alpine@SHA256:${F64}`, 'invalid digest algorithm'],
  [' alpine', 'invalid character " " at index 0'],
  ['alpine\n', 'invalid character "\\n" at index 6'],
  ['alpïne', 'invalid character "ï" at index 3'],
  ['foo:bar/x', 'invalid port "bar"'],
  ['foo_bar.com/x', 'not a valid host name'],
  ['localhost:5000/Foo', 'must be lowercase'],
  [
    'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker',
    'maximum is 255',
  ],
];

describe('ImageReference.parse', () => {
  it.each(VALID)('parses %s', (input, registry, repository, tag, digest) => {
    const ref = ImageReference.parse(input);
    expect({
      registry: ref.registry,
      repository: ref.repository,
      tag: ref.tag,
      digest: ref.digest,
    }).toEqual({
      registry,
      repository,
      tag,
      digest,
    });
    expect(ImageReference.parse(ref.toString()).equals(ref)).toBe(true);
    expect(ImageReference.parse(ref.familiar()).equals(ref)).toBe(true);
  });

  it.each(INVALID)('rejects %j', (input, fragment) => {
    let caught: unknown;
    try {
      ImageReference.parse(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidReferenceError);
    const err = caught as InvalidReferenceError;
    expect(err.code).toBe('INVALID_REFERENCE');
    expect(err.input).toBe(input);
    expect(err.message).toContain(fragment);
    expect(ImageReference.tryParse(input)).toBeUndefined();
  });

  it('keeps long inputs out of the message', () => {
    const input = `${'a'.repeat(5000)}$`;
    expect(() => ImageReference.parse(input)).toThrow(/index 5000/);
    try {
      ImageReference.parse(input);
    } catch (err) {
      expect((err as Error).message.length).toBeLessThan(500);
    }
  });
});

describe('ImageReference forms', () => {
  it.each([
    ['alpine', 'docker.io/library/alpine:latest', 'alpine:latest'],
    ['alpine:3.19', 'docker.io/library/alpine:3.19', 'alpine:3.19'],
    ['bitnami/redis', 'docker.io/bitnami/redis:latest', 'bitnami/redis:latest'],
    ['localhost:5000/x:t', 'localhost:5000/x:t', 'localhost:5000/x:t'],
    ['docker.io/library/foo/bar', 'docker.io/library/foo/bar:latest', 'library/foo/bar:latest'],
    ['index.docker.io/other/library', 'docker.io/other/library:latest', 'other/library:latest'],
    [`alpine@${SHA}`, `docker.io/library/alpine@${SHA}`, `alpine@${SHA}`],
    [`alpine:3@${SHA}`, `docker.io/library/alpine:3@${SHA}`, `alpine:3@${SHA}`],
    ['Foo/bar', 'Foo/bar:latest', 'Foo/bar:latest'],
    ['docker.io/a.b/c', 'docker.io/a.b/c:latest', 'docker.io/a.b/c:latest'],
    ['docker.io/a.b', 'docker.io/library/a.b:latest', 'a.b:latest'],
  ])('%s -> %s / %s', (input, canonical, familiar) => {
    const ref = ImageReference.parse(input);
    expect(ref.toString()).toBe(canonical);
    expect(String(ref)).toBe(canonical);
    expect(JSON.stringify({ ref })).toBe(JSON.stringify({ ref: canonical }));
    expect(ref.familiar()).toBe(familiar);
  });

  it('exposes name, reference and the registry host', () => {
    const hub = ImageReference.parse('alpine:3.19');
    expect(hub.name).toBe('docker.io/library/alpine');
    expect(hub.reference).toBe('3.19');
    expect(hub.isDockerHub).toBe(true);
    expect(hub.registryHost).toBe('registry-1.docker.io');
    const pinned = ImageReference.parse(`alpine:3.19@${SHA}`);
    expect(pinned.reference).toBe(SHA);
    const local = ImageReference.parse('localhost:5000/team/app:v1');
    expect(local.isDockerHub).toBe(false);
    expect(local.registryHost).toBe('localhost:5000');
    expect(local.name).toBe('localhost:5000/team/app');
    const explicit = ImageReference.parse('registry-1.docker.io/library/ubuntu');
    expect(explicit.isDockerHub).toBe(true);
    expect(explicit.registryHost).toBe('registry-1.docker.io');
  });

  it('withTag drops the digest and withDigest keeps the tag', () => {
    const ref = ImageReference.parse(`alpine:3@${SHA}`);
    const retagged = ref.withTag('edge');
    expect(retagged.toString()).toBe('docker.io/library/alpine:edge');
    expect(retagged.digest).toBeUndefined();
    const other = `sha256:${'0'.repeat(64)}`;
    expect(retagged.withDigest(other).toString()).toBe(`docker.io/library/alpine:edge@${other}`);
    const digestOnly = ImageReference.parse(`alpine@${SHA}`).withDigest(other);
    expect(digestOnly.tag).toBeUndefined();
    expect(digestOnly.digest).toBe(other);
    expect(() => ref.withTag('-bad')).toThrow(InvalidReferenceError);
    expect(() => ref.withDigest('md5:abc')).toThrow(/unsupported digest algorithm/);
    expect(ref.withDigest({ toString: () => other }).digest).toBe(other);
  });

  it('equals compares every part', () => {
    const a = ImageReference.parse('alpine');
    expect(a.equals(ImageReference.parse('docker.io/library/alpine:latest'))).toBe(true);
    expect(a.equals(ImageReference.parse('index.docker.io/alpine'))).toBe(true);
    expect(a.equals(ImageReference.parse('alpine:3'))).toBe(false);
    expect(a.equals(ImageReference.parse('localhost/alpine'))).toBe(false);
    expect(a.equals(ImageReference.parse(`alpine:latest@${SHA}`))).toBe(false);
    expect(a.equals(ImageReference.parse('x/alpine'))).toBe(false);
  });
});

describe('ImageReference.from', () => {
  it('normalizes like parse', () => {
    expect(ImageReference.from({ repository: 'alpine' }).toString()).toBe(
      'docker.io/library/alpine:latest',
    );
    expect(
      ImageReference.from({
        registry: 'index.docker.io',
        repository: 'redis',
        tag: '7',
      }).toString(),
    ).toBe('docker.io/library/redis:7');
    expect(
      ImageReference.from({ registry: 'ghcr.io', repository: 'o/r', digest: SHA }).toString(),
    ).toBe(`ghcr.io/o/r@${SHA}`);
    expect(
      ImageReference.from({
        registry: 'localhost',
        repository: 'x',
        tag: 't',
        digest: SHA,
      }).toString(),
    ).toBe(`localhost/x:t@${SHA}`);
  });

  it.each([
    [{ registry: 'myhost', repository: 'x' }, 'would read as a Docker Hub namespace'],
    [{ registry: 'bad_host.com', repository: 'x' }, 'not a valid host name'],
    [{ registry: 'ghcr.io', repository: 'Bad' }, 'must be lowercase'],
    [{ registry: 'ghcr.io', repository: 'a'.repeat(256) }, 'maximum is 255'],
    [{ repository: 'a'.repeat(250) }, 'maximum is 255'],
    [{ repository: 'x', tag: '' }, 'tag is empty'],
    [{ repository: 'x', digest: 'sha256:abc' }, 'must have 64 hex characters'],
  ])('rejects %j', (parts, fragment) => {
    expect(() => ImageReference.from(parts)).toThrow(InvalidReferenceError);
    expect(() => ImageReference.from(parts)).toThrow(fragment);
  });
});
