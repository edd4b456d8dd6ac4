import { ValidationError } from '../errors/validation-errors.js';
import { asText, notString, quote } from '../validation/describe.js';
import { type PlatformObject } from '../manifest/schemas.js';
import { normalizePlatform } from './normalize.js';

/** Parts accepted by {@link Platform.from}. @public */
export interface PlatformInit {
  /** Operating system (`linux`, `windows`, ...). */
  readonly os: string;
  /** CPU architecture (`amd64`, `arm64`, `arm`, ...). */
  readonly architecture: string;
  /** CPU variant (`v7`, `v8`, ...). */
  readonly variant?: string | undefined;
  /** OS version (Windows builds such as `10.0.17763`). */
  readonly osVersion?: string | undefined;
  /** Required OS features (OCI `os.features`, e.g. `win32k`); carried into descriptors, not compared. */
  readonly osFeatures?: readonly string[] | undefined;
}

const PART = /^[a-z0-9][a-z0-9_.+-]*$/;
const OS_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const OS_FEATURE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const PLATFORM_TEXT = /^([^/()]*)(?:\(([^()]*)\))?\/([^/]*)(?:\/([^/]*))?$/;

/**
 * A target platform such as `linux/arm64/v8`. `matches` and `equals` compare after
 * containerd's normalizations (`aarch64` = `arm64`, `arm64/v8` = `arm64`, `arm` = `arm/v7`,
 * `x86_64` = `amd64`, `amd64/v1` = `amd64`).
 * @example
 * ```ts
 * const p = Platform.parse('linux/arm64/v8');
 * p.matches({ os: 'linux', architecture: 'arm64' }); // true
 * ```
 * @public
 */
export class Platform {
  /** Operating system, lower case. */
  readonly os: string;
  /** Architecture, lower case, as given (not normalized). */
  readonly architecture: string;
  /** Variant, if any. */
  readonly variant: string | undefined;
  /** OS version, if any. */
  readonly osVersion: string | undefined;
  /** Required OS features (OCI `os.features`), if any; not part of {@link Platform.equals} or {@link Platform.matches}. */
  readonly osFeatures: readonly string[] | undefined;

  private constructor(init: PlatformInit) {
    this.os = init.os;
    this.architecture = init.architecture;
    this.variant = init.variant;
    this.osVersion = init.osVersion;
    this.osFeatures =
      init.osFeatures === undefined || init.osFeatures.length === 0
        ? undefined
        : Object.freeze([...init.osFeatures]);
  }

  /**
   * Parses `os/arch[/variant]`, optionally with an OS version as `os(version)/arch`.
   * @param text - e.g. `linux/amd64`, `linux/arm/v7`, `windows(10.0.17763)/amd64`
   * @returns the platform
   * @throws {@link ValidationError} with code `INVALID_PLATFORM` saying what is wrong
   */
  static parse(text: string): Platform {
    const type = notString(text, 'platform');
    if (type !== undefined) throw invalid(type, asText(text));
    const m = PLATFORM_TEXT.exec(text);
    if (m === null) {
      throw invalid(
        `platform ${quote(text)} is not os/architecture[/variant] (e.g. linux/arm64/v8)`,
        text,
      );
    }
    const [, os = '', osVersion, architecture = '', variant] = m;
    if (variant === '') throw invalid(`platform ${quote(text)} has an empty variant`, text);
    return Platform.check({ os, architecture, variant, osVersion }, text);
  }

  /**
   * Like {@link Platform.parse} but returns undefined instead of throwing.
   * @param text - a platform string
   * @returns the platform, or undefined when invalid
   */
  static tryParse(text: string): Platform | undefined {
    try {
      return Platform.parse(text);
    } catch {
      return undefined;
    }
  }

  /**
   * Builds a platform from parts (validated; os and architecture are lower-cased).
   * @param init - os, architecture, variant, osVersion, osFeatures
   * @returns the platform
   * @throws {@link ValidationError} with code `INVALID_PLATFORM`
   */
  static from(init: PlatformInit): Platform {
    return Platform.check(
      init,
      `${init.os}/${init.architecture}${init.variant === undefined ? '' : `/${init.variant}`}`,
    );
  }

  /**
   * The platform of an index entry or config blob.
   * @param object - a `platform` object (`architecture`, `os`, `variant`, `os.version`, `os.features`)
   * @returns the platform
   * @throws {@link ValidationError} with code `INVALID_PLATFORM` when a part is malformed
   */
  static fromObject(object: PlatformObject): Platform {
    return Platform.from({
      os: object.os,
      architecture: object.architecture,
      variant: object.variant,
      osVersion: object['os.version'],
      osFeatures: object['os.features'],
    });
  }

  /** @returns `linux/amd64` */
  static linuxAmd64(): Platform {
    return new Platform({
      os: 'linux',
      architecture: 'amd64',
      variant: undefined,
      osVersion: undefined,
    });
  }

  /** @returns `linux/arm64/v8` */
  static linuxArm64(): Platform {
    return new Platform({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
      osVersion: undefined,
    });
  }

  private static check(init: PlatformInit, text: string): Platform {
    const os = init.os.toLowerCase();
    const architecture = init.architecture.toLowerCase();
    const variant = init.variant === '' ? undefined : init.variant;
    for (const [label, value] of [
      ['os', os],
      ['architecture', architecture],
    ] as const) {
      if (value === '') throw invalid(`platform ${quote(text)} has an empty ${label}`, text);
      if (!PART.test(value))
        throw invalid(`platform ${quote(text)} has an invalid ${label} "${value}"`, text);
    }
    if (variant !== undefined && !PART.test(variant)) {
      throw invalid(
        `platform ${quote(text)} has an invalid variant "${variant}" (lower-case letters, digits, '.', '_', '-')`,
        text,
      );
    }
    if (init.osVersion !== undefined && !OS_VERSION.test(init.osVersion)) {
      throw invalid(`platform ${quote(text)} has an invalid OS version "${init.osVersion}"`, text);
    }
    const features: unknown = init.osFeatures;
    if (features !== undefined) {
      if (!Array.isArray(features))
        throw invalid(`platform ${quote(text)} has OS features that are not a list`, text);
      for (const f of features as unknown[])
        if (typeof f !== 'string' || !OS_FEATURE.test(f))
          throw invalid(
            `platform ${quote(text)} has an invalid OS feature ${typeof f === 'string' ? `"${f}"` : `of type ${typeof f}`}`,
            text,
          );
    }
    return new Platform({
      os,
      architecture,
      variant,
      osVersion: init.osVersion,
      osFeatures: init.osFeatures,
    });
  }

  /**
   * The same platform with containerd's normalizations applied (`aarch64` -> `arm64`, ...).
   * @returns a new, normalized platform
   */
  normalize(): Platform {
    const key = normalizePlatform(this.os, this.architecture, this.variant);
    return new Platform({
      ...key,
      variant: key.variant === '' ? undefined : key.variant,
      osVersion: this.osVersion,
      osFeatures: this.osFeatures,
    });
  }

  /**
   * Whether two platforms are the same after normalization (OS versions must be equal too).
   * @param other - another platform
   * @returns true when equal
   */
  equals(other: Platform): boolean {
    return sameKey(this, other) && this.osVersion === other.osVersion;
  }

  /**
   * Whether an index entry's platform can serve this platform: os, architecture and variant equal
   * after normalization and, when this platform names an OS version, the entry's version equal
   * to it or extending it (`10.0.17763` matches `10.0.17763.5329`).
   * @param platform - an entry's `platform` object (or a Platform); undefined never matches
   * @returns true when it matches
   */
  matches(platform: PlatformObject | Platform | undefined): boolean {
    if (platform === undefined) return false;
    const other =
      platform instanceof Platform ? platform : { ...platform, osVersion: platform['os.version'] };
    if (!sameKey(this, other)) return false;
    if (this.osVersion === undefined) return true;
    const version = other.osVersion;
    return version === this.osVersion || (version?.startsWith(`${this.osVersion}.`) ?? false);
  }

  /** @returns `os[(osVersion)]/architecture[/variant]`, which {@link Platform.parse} reads back */
  toString(): string {
    const os = this.osVersion === undefined ? this.os : `${this.os}(${this.osVersion})`;
    return `${os}/${this.architecture}${this.variant === undefined ? '' : `/${this.variant}`}`;
  }

  /**
   * The OCI `platform` object a descriptor carries: `architecture`, `os`, then `variant`,
   * `os.version` and `os.features` when set. {@link Platform.fromObject} reads it back.
   * @returns a new plain object
   * @example
   * ```ts
   * Platform.parse('linux/arm64/v8').toObject(); // { architecture: 'arm64', os: 'linux', variant: 'v8' }
   * ```
   */
  toObject(): PlatformObject {
    return {
      architecture: this.architecture,
      os: this.os,
      ...(this.variant === undefined ? {} : { variant: this.variant }),
      ...(this.osVersion === undefined ? {} : { 'os.version': this.osVersion }),
      ...(this.osFeatures === undefined ? {} : { 'os.features': [...this.osFeatures] }),
    };
  }

  /**
   * The string form, for logs and JSON output. Descriptors never carry it: `createDescriptor` and
   * `buildManifest` write {@link Platform.toObject} instead.
   * @returns the string form
   */
  toJSON(): string {
    return this.toString();
  }
}

interface Comparable {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string | undefined;
}

function sameKey(a: Comparable, b: Comparable): boolean {
  const x = normalizePlatform(a.os, a.architecture, a.variant);
  const y = normalizePlatform(b.os, b.architecture, b.variant);
  return x.os === y.os && x.architecture === y.architecture && x.variant === y.variant;
}

function invalid(message: string, input: string): ValidationError {
  return new ValidationError('INVALID_PLATFORM', message, input);
}
