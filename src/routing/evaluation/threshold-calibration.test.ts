import { describe, expect, it } from 'vitest';
import { calibrateThreshold, strongShareAtThreshold } from './threshold-calibration.js';

const scores = [0.9, 0.8, 0.8, 0.8, 0.1];

describe('threshold calibration', () => {
  it('puts the threshold halfway between the last strong score and the next one down', () => {
    expect(calibrateThreshold(scores, 0.2)).toEqual({ threshold: (0.9 + 0.8) / 2, strongShare: 0.2 });
    expect(calibrateThreshold(scores, 0.7)).toEqual({ threshold: (0.8 + 0.1) / 2, strongShare: 0.8 });
  });

  it('cannot split tied scores, and picks the cheaper of two equally close shares', () => {
    // 0.5 is as far from 0.2 (one row) as from 0.8 (four rows, three of them tied).
    expect(calibrateThreshold(scores, 0.5)).toEqual({ threshold: (0.9 + 0.8) / 2, strongShare: 0.2 });
  });

  it('sends nothing at share 0 and everything at share 1', () => {
    const none = calibrateThreshold(scores, 0);
    expect(none.strongShare).toBe(0);
    expect(strongShareAtThreshold(scores, none.threshold)).toBe(0);
    const all = calibrateThreshold(scores, 1);
    expect(all).toEqual({ threshold: 0.1, strongShare: 1 });
    expect(strongShareAtThreshold(scores, all.threshold)).toBe(1);
  });

  it('gives a threshold that reproduces the share it reports', () => {
    const many = Array.from({ length: 1000 }, (_, index) => ((index * 7919) % 1000) / 1000);
    for (const share of [0.1, 0.3, 0.55]) {
      const calibration = calibrateThreshold(many, share);
      expect(calibration.strongShare).toBeCloseTo(share, 10);
      expect(strongShareAtThreshold(many, calibration.threshold)).toBe(calibration.strongShare);
    }
  });

  it('rejects a share outside 0..1', () => {
    expect(() => calibrateThreshold(scores, 1.5)).toThrow('between 0 and 1');
  });
});
