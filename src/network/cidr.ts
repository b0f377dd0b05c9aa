/**
 * CIDR parsing and containment for IPv4 and IPv6 on BigInt, so one code path serves both families
 * and no dependency is needed. Parsing is lenient about host bits (`10.0.0.5/16` is the
 * `10.0.0.0/16` network), because security-group and route sources are compared, not stored.
 */

import { memoize } from './memo.js';

type IpVersion = 4 | 6;

interface Cidr {
  version: IpVersion;
  /** The address with host bits cleared. */
  network: bigint;
  prefix: number;
}

const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };

const parseIpv4 = (text: string): bigint | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
};

const parseHextets = (text: string): bigint[] | undefined => {
  if (text === '') return [];
  const groups = text.split(':');
  const values: bigint[] = [];
  for (const [index, group] of groups.entries()) {
    // An embedded IPv4 address (`::ffff:10.0.0.1`) may only end the address.
    if (index === groups.length - 1 && group.includes('.')) {
      const v4 = parseIpv4(group);
      if (v4 === undefined) return undefined;
      values.push(v4 >> 16n, v4 & 0xffffn);
      continue;
    }
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    values.push(BigInt(Number.parseInt(group, 16)));
  }
  return values;
};

const parseIpv6 = (text: string): bigint | undefined => {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseHextets(halves[0] ?? '');
  const tail = halves.length === 2 ? parseHextets(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const hextets = [...head, ...Array<bigint>(missing).fill(0n), ...tail];
  return hextets.reduce((value, hextet) => (value << 16n) | hextet, 0n);
};

const parseCidrText = (text: string): Cidr | undefined => {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const address = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const prefixText = slash === -1 ? undefined : trimmed.slice(slash + 1);
  const version: IpVersion = address.includes(':') ? 6 : 4;
  const value = version === 4 ? parseIpv4(address) : parseIpv6(address);
  if (value === undefined) return undefined;
  const bits = BITS[version];
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  return { version, network: (value >> hostBits) << hostBits, prefix };
};

/**
 * Parses `a.b.c.d/n`, an IPv6 CIDR, or a bare address (a host route); `undefined` if malformed.
 * Accounts repeat the same blocks across thousands of routes and rules: each text is parsed once
 * (the result is shared and must not be changed).
 */
const parseCidr: (text: string) => Cidr | undefined = memoize(50_000, parseCidrText);

/** Whether `inner` lies entirely within `outer` (same family, no shorter prefix, same network bits). */
const cidrContains = (outer: Cidr, inner: Cidr): boolean => {
  if (outer.version !== inner.version || outer.prefix > inner.prefix) return false;
  const hostBits = BigInt(BITS[outer.version] - outer.prefix);
  return outer.network >> hostBits === inner.network >> hostBits;
};

/**
 * Whether the CIDR text lies inside the blocks taken together: a VPC's 10.0.0.0/17 and
 * 10.0.128.0/17 hold 10.0.0.0/16 although neither holds it alone. Malformed text is never inside.
 */
const isCidrWithinAny = (cidr: string, blocks: readonly string[]): boolean => {
  const inner = parseCidr(cidr);
  if (!inner) return false;
  const spans: [bigint, bigint][] = [];
  for (const block of blocks) {
    const outer = parseCidr(block);
    if (outer === undefined || outer.version !== inner.version) continue;
    // The common case, one block holding it, needs no sweep.
    if (cidrContains(outer, inner)) return true;
    spans.push([outer.network, lastAddress(outer)]);
  }
  spans.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let next = inner.network;
  const last = lastAddress(inner);
  for (const [first, end] of spans) {
    if (first > next) break;
    if (end >= next) next = end + 1n;
    if (next > last) return true;
  }
  return false;
};

const lastAddress = (cidr: Cidr): bigint =>
  cidr.network + (1n << BigInt(BITS[cidr.version] - cidr.prefix)) - 1n;

/** `0.0.0.0/0` or `::/0` (or any spelling of them): every address of a family. */
const isAnyAddress = (cidr: string): boolean => parseCidr(cidr)?.prefix === 0;

/** The family of a CIDR text, or `undefined` when it does not parse. */
const cidrVersion = (cidr: string): IpVersion | undefined => parseCidr(cidr)?.version;

export type { Cidr, IpVersion };
export { cidrContains, cidrVersion, isAnyAddress, isCidrWithinAny, parseCidr };
