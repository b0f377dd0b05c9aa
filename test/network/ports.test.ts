import { describe, expect, it } from 'vitest';
import { formatPortRange, isRangeCovered, parsePortRange } from '../../src/network/ports.js';

describe('parsePortRange', () => {
  it('reads single ports and ranges', () => {
    // Act & Assess
    expect(parsePortRange('443')).toEqual({ from: 443, to: 443 });
    expect(parsePortRange(' 8000-8100 ')).toEqual({ from: 8000, to: 8100 });
  });

  it.each(['', 'https', '443-80', '70000', '1-65536', '-1'])('rejects %j', (text) => {
    // Act & Assess
    expect(parsePortRange(text)).toBeUndefined();
  });
});

describe('isRangeCovered', () => {
  const allowed = [
    { from: 443, to: 443 },
    { from: 8443, to: 8443 },
    { from: 444, to: 450 },
  ];

  it('accepts a range inside the union of allowed ranges', () => {
    // Act & Assess
    expect(isRangeCovered({ from: 443, to: 443 }, allowed)).toBe(true);
    expect(isRangeCovered({ from: 443, to: 450 }, allowed)).toBe(true);
    expect(isRangeCovered({ from: 8443, to: 8443 }, allowed)).toBe(true);
  });

  it('rejects a range that reaches a gap', () => {
    // Act & Assess
    expect(isRangeCovered({ from: 443, to: 451 }, allowed)).toBe(false);
    expect(isRangeCovered({ from: 0, to: 65535 }, allowed)).toBe(false);
    expect(isRangeCovered({ from: 80, to: 80 }, allowed)).toBe(false);
    expect(isRangeCovered({ from: 443, to: 443 }, [])).toBe(false);
  });
});

describe('formatPortRange', () => {
  it('writes one port or a range', () => {
    // Act & Assess
    expect(formatPortRange({ from: 443, to: 443 })).toBe('443');
    expect(formatPortRange({ from: 0, to: 65535 })).toBe('0-65535');
  });
});
