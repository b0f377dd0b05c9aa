import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  cidrVersion,
  isAnyAddress,
  isCidrWithinAny,
  parseCidr,
} from '../../src/network/cidr.js';

describe('parseCidr', () => {
  it('parses an IPv4 CIDR and clears host bits', () => {
    // Act
    const parsed = parseCidr('10.0.0.5/16');

    // Assess
    expect(parsed).toEqual({ version: 4, network: 0x0a000000n, prefix: 16 });
  });

  it('treats a bare address as a host route', () => {
    // Act & Assess
    expect(parseCidr('192.168.1.1')?.prefix).toBe(32);
    expect(parseCidr('2001:db8::1')?.prefix).toBe(128);
  });

  it('parses compressed, full and IPv4-embedded IPv6 forms to the same value', () => {
    // Act
    const compressed = parseCidr('2001:db8::/32');
    const full = parseCidr('2001:0db8:0000:0000:0000:0000:0000:0000/32');
    const mapped = parseCidr('::ffff:10.0.0.1/128');

    // Assess
    expect(compressed).toEqual(full);
    expect(compressed?.network).toBe(0x20010db8n << 96n);
    expect(mapped?.network).toBe((0xffffn << 32n) | 0x0a000001n);
  });

  it.each([
    '',
    'abc',
    '10.0.0/16',
    '10.0.0.256/16',
    '10.0.0.0/33',
    '10.0.0.0/',
    '10.0.0.0/-1',
    '2001:db8::/129',
    '2001:db8:::1/64',
    '1::2::3/64',
    'g::/16',
    '1:2:3:4:5:6:7:8:9/128',
    '1:2:3:4:5:6:7/128',
    '::1.2.3/128',
  ])('returns undefined for malformed %j', (text) => {
    // Act & Assess
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('cidrContains', () => {
  const contains = (outer: string, inner: string) => {
    const a = parseCidr(outer);
    const b = parseCidr(inner);
    if (!a || !b) throw new Error('test CIDR does not parse');
    return cidrContains(a, b);
  };

  it('finds a subnet inside its network and not a sibling or a supernet', () => {
    // Act & Assess
    expect(contains('10.0.0.0/16', '10.0.1.0/24')).toBe(true);
    expect(contains('10.0.0.0/16', '10.0.0.0/16')).toBe(true);
    expect(contains('10.0.0.0/16', '10.1.0.0/24')).toBe(false);
    expect(contains('10.0.0.0/16', '10.0.0.0/8')).toBe(false);
  });

  it('never mixes families', () => {
    // Act & Assess
    expect(contains('0.0.0.0/0', '::/0')).toBe(false);
    expect(contains('::/0', '10.0.0.0/8')).toBe(false);
  });

  it('compares IPv6 networks on their prefix bits', () => {
    // Act & Assess
    expect(contains('2001:db8::/32', '2001:db8:1::/48')).toBe(true);
    expect(contains('2001:db8:1234:5600::/56', '2001:db8:1234:56ff::/64')).toBe(true);
    expect(contains('2001:db8:1234:5600::/56', '2001:db8:1234:5700::/64')).toBe(false);
  });

  it('holds for any IPv4 address at a shorter and a longer prefix', () => {
    fc.assert(
      fc.property(
        fc.ipV4(),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 32 }),
        (address, a, b) => {
          // Prepare
          const [short, long] = a <= b ? [a, b] : [b, a];
          const outer = parseCidr(`${address}/${short}`);
          const inner = parseCidr(`${address}/${long}`);

          // Assess
          expect(outer && inner && cidrContains(outer, inner)).toBe(true);
          expect(outer && inner && cidrContains(inner, outer)).toBe(short === long);
        },
      ),
    );
  });

  it('holds for any IPv6 address at a shorter and a longer prefix', () => {
    fc.assert(
      fc.property(
        fc.ipV6(),
        fc.integer({ min: 0, max: 128 }),
        fc.integer({ min: 0, max: 128 }),
        (address, a, b) => {
          // Prepare
          const [short, long] = a <= b ? [a, b] : [b, a];
          const outer = parseCidr(`${address}/${short}`);
          const inner = parseCidr(`${address}/${long}`);

          // Assess
          expect(outer && inner && cidrContains(outer, inner)).toBe(true);
        },
      ),
    );
  });
});

describe('isCidrWithinAny', () => {
  it('accepts a CIDR inside any of several blocks', () => {
    // Act & Assess
    expect(isCidrWithinAny('100.64.3.0/24', ['10.0.0.0/16', '100.64.0.0/20'])).toBe(true);
    expect(isCidrWithinAny('172.16.0.0/24', ['10.0.0.0/16', '100.64.0.0/20'])).toBe(false);
  });

  it('checks IPv6 sources against IPv6 blocks', () => {
    // Act & Assess
    expect(
      isCidrWithinAny('2600:1f18:aa:bb00::/64', ['10.0.0.0/16', '2600:1f18:aa:bb00::/56']),
    ).toBe(true);
    expect(isCidrWithinAny('::/0', ['2600:1f18:aa:bb00::/56'])).toBe(false);
  });

  it('accepts a CIDR that only the blocks taken together hold (a VPC of two adjacent blocks)', () => {
    // Act & Assess
    expect(isCidrWithinAny('10.0.0.0/16', ['10.0.0.0/17', '10.0.128.0/17'])).toBe(true);
    expect(isCidrWithinAny('10.0.0.0/16', ['10.0.128.0/17', '10.0.0.0/18', '10.0.64.0/18'])).toBe(
      true,
    );
    expect(isCidrWithinAny('10.0.0.0/16', ['10.0.0.0/17', '10.0.192.0/18'])).toBe(false);
    expect(isCidrWithinAny('10.0.0.0/15', ['10.0.0.0/16', '10.2.0.0/16'])).toBe(false);
  });

  it('agrees with an address-by-address check of the blocks taken together', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 32 })), {
          maxLength: 5,
        }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 24, max: 32 }),
        (blocks, address, prefix) => {
          // Prepare: blocks and the source inside 10.0.0.0/24, so every address can be checked
          const text = ([a, p]: [number, number]) => `10.0.0.${a}/${p}`;
          const span = (t: string): [number, number] => {
            const cidr = parseCidr(t);
            if (!cidr) throw new Error(t);
            const first = Number(cidr.network & 0xffn);
            return [first, first + 2 ** (32 - cidr.prefix) - 1];
          };
          const spans = blocks.map((block) => span(text(block)));
          const [first, last] = span(text([address, prefix]));
          let expected = true;
          for (let a = first; a <= last; a++) {
            if (!spans.some(([f, l]) => f <= a && a <= l)) expected = false;
          }

          // Act & Assess
          expect(isCidrWithinAny(text([address, prefix]), blocks.map(text))).toBe(expected);
        },
      ),
    );
  });

  it('never places malformed text or malformed blocks', () => {
    // Act & Assess
    expect(isCidrWithinAny('10.0.0.0/40', ['0.0.0.0/0'])).toBe(false);
    expect(isCidrWithinAny('10.0.0.0/24', ['nonsense'])).toBe(false);
  });
});

describe('isAnyAddress', () => {
  it('recognises 0.0.0.0/0 and ::/0 in any spelling', () => {
    // Act & Assess
    expect(isAnyAddress('0.0.0.0/0')).toBe(true);
    expect(isAnyAddress('::/0')).toBe(true);
    expect(isAnyAddress('0:0:0:0:0:0:0:0/0')).toBe(true);
    expect(isAnyAddress('10.0.0.0/0')).toBe(true);
    expect(isAnyAddress('0.0.0.0/1')).toBe(false);
    expect(isAnyAddress('bad')).toBe(false);
  });
});

describe('cidrVersion', () => {
  it('names the family, or undefined when malformed', () => {
    // Act & Assess
    expect(cidrVersion('10.0.0.0/8')).toBe(4);
    expect(cidrVersion('fd00::/8')).toBe(6);
    expect(cidrVersion('x')).toBeUndefined();
  });
});
