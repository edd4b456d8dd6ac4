import { TRANSPORT_METRIC_NAMES } from '@llmdevops/docker-hub-transport';
import { describe, expect, it } from 'vitest';
import { IMAGE_METRIC_NAMES, METRIC_DEFINITIONS, METRIC_NAMES } from './metric-names.js';

describe('METRIC_NAMES', () => {
  it('is the transport metrics plus the image metrics, with no key or name in both', () => {
    const transportKeys = Object.keys(TRANSPORT_METRIC_NAMES);
    const imageKeys = Object.keys(IMAGE_METRIC_NAMES);
    expect(transportKeys.filter((k) => imageKeys.includes(k))).toEqual([]);
    expect(Object.keys(METRIC_NAMES).sort()).toEqual([...transportKeys, ...imageKeys].sort());
    const names = Object.values(METRIC_NAMES);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has one definition per name, carrying that name, and no reserved metric', () => {
    expect(Object.keys(METRIC_DEFINITIONS).sort()).toEqual(Object.keys(METRIC_NAMES).sort());
    for (const [key, d] of Object.entries(METRIC_DEFINITIONS)) {
      expect(d.name).toBe(METRIC_NAMES[key as keyof typeof METRIC_NAMES]);
      expect(d.reserved).toBe(false);
    }
  });
});
