/** The parts of a platform that matching compares. @internal */
export interface PlatformKey {
  readonly os: string;
  readonly architecture: string;
  readonly variant: string;
}

/**
 * Normalizes os/architecture/variant the way containerd does, so equal platforms compare equal:
 * `aarch64` is `arm64`, whose `v8` variant is the default (none); `arm` defaults to `v7`;
 * `x86_64` is `amd64`, whose `v1` variant is the default (none); `i386` is `386`.
 * @param os - operating system
 * @param architecture - CPU architecture
 * @param variant - CPU variant, if any
 * @returns the normalized triple (`variant` is `''` for none)
 * @internal
 */
export function normalizePlatform(
  os: string,
  architecture: string,
  variant: string | undefined,
): PlatformKey {
  let arch = architecture.toLowerCase();
  let v = (variant ?? '').toLowerCase();
  switch (arch) {
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      if (v === '8' || v === 'v8' || v === 'v8.0') v = '';
      break;
    case 'armhf':
      arch = 'arm';
      v = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      v = 'v6';
      break;
    case 'arm':
      if (v === '' || v === '7') v = 'v7';
      else if (/^[5-8]$/.test(v)) v = `v${v}`;
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      if (v === 'v1') v = '';
      break;
    case 'i386':
    case 'i686':
      arch = '386';
      break;
  }
  return { os: os.toLowerCase(), architecture: arch, variant: v };
}
