import {
  TRANSPORT_METRIC_DEFINITIONS,
  TRANSPORT_METRIC_NAMES,
  type MetricDefinition,
  type MetricKind,
} from '@llmdevops/docker-hub-transport';

/**
 * The metrics that carry registry and Docker Hub meaning, by key: pulls and pushes (manifest GETs
 * and PUTs), digest mismatches and the vulnerabilities gauge. The transport emits the
 * protocol-generic rest.
 * @public
 */
export const IMAGE_METRIC_NAMES = {
  /** Content that did not hash to its expected digest. */
  digestMismatches: 'dockerhub.digest.mismatches',
  /** Manifest GETs (what Docker Hub counts as pulls), by outcome. */
  pulls: 'dockerhub.image.pulls',
  /** Manifest PUTs (pushes), by outcome. */
  pushes: 'dockerhub.image.pushes',
  /** Vulnerabilities by severity per repository, from the latest scan overview read. */
  vulnerabilities: 'dockerhub.vulnerabilities',
} as const;

/** Key of {@link IMAGE_METRIC_NAMES}. @public */
export type ImageMetricKey = keyof typeof IMAGE_METRIC_NAMES;

function def(
  key: ImageMetricKey,
  kind: MetricKind,
  unit: string,
  [description, attributes]: readonly [string, readonly string[]],
): MetricDefinition {
  return { name: IMAGE_METRIC_NAMES[key], kind, unit, description, attributes, reserved: false };
}

/** Kind, unit, description and labels of every metric in {@link IMAGE_METRIC_NAMES}. @public */
export const IMAGE_METRIC_DEFINITIONS: Readonly<Record<ImageMetricKey, MetricDefinition>> = {
  digestMismatches: def('digestMismatches', 'counter', '{mismatch}', [
    'Content that did not match its digest',
    ['operation', 'kind'],
  ]),
  pulls: def('pulls', 'counter', '{pull}', ['Manifest GETs (Docker Hub pulls)', ['host', 'outcome']]),
  pushes: def('pushes', 'counter', '{push}', ['Manifest PUTs (pushes)', ['host', 'outcome']]),
  vulnerabilities: def('vulnerabilities', 'gauge', '{vulnerability}', [
    'Vulnerabilities by severity in the latest scan overview of each repository',
    ['namespace', 'repository', 'severity'],
  ]),
};

/**
 * Every metric name a `DockerHubClient` emits, by key: the transport's request, byte, error,
 * retry, rate-limit and breaker metrics and the image metrics. The dashboard and alerts in
 * `tooling/observability` use only these names.
 * @public
 */
export const METRIC_NAMES = { ...TRANSPORT_METRIC_NAMES, ...IMAGE_METRIC_NAMES } as const;

/** Key of {@link METRIC_NAMES}. @public */
export type MetricKey = keyof typeof METRIC_NAMES;

/** Kind, unit, description and labels of every metric in {@link METRIC_NAMES}. @public */
export const METRIC_DEFINITIONS: Readonly<Record<MetricKey, MetricDefinition>> = {
  ...TRANSPORT_METRIC_DEFINITIONS,
  ...IMAGE_METRIC_DEFINITIONS,
};
