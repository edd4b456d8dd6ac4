import { rootCertificates, type ConnectionOptions } from 'node:tls';

/** Trust and protocol settings shared by every connection the transport opens. @internal */
export interface TlsSettings {
  /** Extra trusted CA certificates (PEM), added to Node's root store, never replacing it. */
  readonly ca?: string | readonly string[] | undefined;
}

/**
 * The TLS options of every connection the default agent makes: TLS 1.2 minimum, certificate
 * validation always on, extra CAs added to the system roots.
 * @param settings - extra CAs
 * @returns options for `tls.connect` / undici's `connect`
 * @internal
 */
export function tlsConnectOptions(settings: TlsSettings): Pick<ConnectionOptions, 'minVersion' | 'rejectUnauthorized' | 'ca'> {
  const extra = settings.ca === undefined ? [] : typeof settings.ca === 'string' ? [settings.ca] : [...settings.ca];
  return {
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    ...(extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {}),
  };
}
