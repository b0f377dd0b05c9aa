/**
 * A deterministic synthetic AWS Config snapshot with a known mix, and the NON_COMPLIANT count each
 * rule must report on it (default parameters). The counts come from how each resource is built,
 * never from running the engine, so a benchmark of the engine also checks its answers.
 */
import { writeSync } from 'node:fs';
import { RULES } from '../../src/rules/index.js';
import { ACCOUNT, bucket, type Item } from './config-items.js';
import { BUCKET_SHAPES } from './synth-buckets.js';
import { type Block, vpcBlock } from './synth-network.js';
import { createRng, type Rng } from './synth-rng.js';

type Profile = 'mixed' | 'buckets';

interface SynthOptions {
  /** Exact number of configuration items. */
  resources: number;
  seed: number;
  /** `mixed`: networks and buckets; `buckets`: only buckets, every policy different. */
  profile?: Profile;
}

interface Expectations {
  generator: string;
  seed: number;
  profile: Profile;
  resources: number;
  itemsByType: Record<string, number>;
  /** One evaluation per resource of the rule's type. */
  evaluations: Record<string, number>;
  nonCompliant: Record<string, number>;
  /** How many resources of each constructed shape, e.g. `bucket:vpce-wildcard`. */
  shapes: Record<string, number>;
}

const BUCKET_SHARE = 0.4;
const VPCE_ONLY = 's3-bucket-policy-vpce-only';
const TLS_ONLY = 's3-bucket-policy-tls-only';

class Synthesizer {
  readonly expected: Expectations;
  private readonly rng: Rng;
  private readonly prefix: string;
  private readonly counters = new Map<string, number>();
  /** S3 Gateway endpoints and VPCs so far: bucket policies name real ones. */
  private readonly s3Endpoints: string[] = [];
  private readonly vpcIds: string[] = [];

  constructor(private readonly options: Required<SynthOptions>) {
    this.rng = createRng(options.seed);
    this.prefix = (options.seed >>> 0).toString(16).padStart(8, '0');
    this.expected = {
      generator: 'vpce-guard synth 1',
      seed: options.seed,
      profile: options.profile,
      resources: options.resources,
      itemsByType: {},
      evaluations: Object.fromEntries(RULES.map((rule) => [rule.id, 0])),
      nonCompliant: Object.fromEntries(RULES.map((rule) => [rule.id, 0])),
      shapes: {},
    };
  }

  /** Ids in AWS's long format (17 hex digits), unique per type within one account. */
  private id(prefix: string): string {
    const n = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, n + 1);
    return `${prefix}-${this.prefix}${n.toString(16).padStart(9, '0')}`;
  }

  run(emit: (item: Item) => void): Expectations {
    const { resources } = this.options;
    const networkBudget =
      this.options.profile === 'mixed' ? Math.round(resources * (1 - BUCKET_SHARE)) : 0;
    let count = 0;
    let vpcIndex = 0;
    while (count < networkBudget) {
      const block = vpcBlock(vpcIndex++, this.rng, (prefix) => this.id(prefix));
      // A block that would overshoot is dropped, uncounted: buckets fill the rest exactly.
      if (count + block.items.length > networkBudget) break;
      this.commit(block);
      for (const item of block.items) emit(item);
      count += block.items.length;
    }
    for (let index = 0; count < resources; index++, count++) emit(this.bucketItem(index));
    for (const rule of RULES) {
      this.expected.evaluations[rule.id] = this.expected.itemsByType[rule.resourceType] ?? 0;
    }
    return this.expected;
  }

  private commit(block: Block): void {
    for (const item of block.items) this.countType(item.resourceType as string);
    for (const [rule, n] of Object.entries(block.nonCompliant)) this.addNonCompliant(rule, n);
    for (const [name, n] of Object.entries(block.shapes)) this.addShape(name, n);
    this.s3Endpoints.push(...block.s3Endpoints);
    this.vpcIds.push(block.vpcId);
  }

  private countType(type: string): void {
    this.expected.itemsByType[type] = (this.expected.itemsByType[type] ?? 0) + 1;
  }

  private addNonCompliant(rule: string, n = 1): void {
    this.expected.nonCompliant[rule] = (this.expected.nonCompliant[rule] ?? 0) + n;
  }

  private addShape(name: string, n = 1): void {
    this.expected.shapes[name] = (this.expected.shapes[name] ?? 0) + n;
  }

  private bucketItem(index: number): Item {
    const rng = this.rng;
    const shape = BUCKET_SHAPES[index % BUCKET_SHAPES.length] ?? BUCKET_SHAPES[0];
    if (!shape) throw new Error('no bucket shapes');
    const name = `synth-${this.prefix}-${index}-${rng.hex(6)}`;
    const vpces =
      this.s3Endpoints.length > 0
        ? [...new Set(Array.from({ length: rng.between(1, 3) }, () => rng.pick(this.s3Endpoints)))]
        : Array.from({ length: rng.between(1, 2) }, () => `vpce-${rng.hex(17)}`);
    const vpcId = this.vpcIds.length > 0 ? rng.pick(this.vpcIds) : `vpc-${rng.hex(17)}`;
    const document = shape.build({ bucket: name, vpces, vpcId, account: ACCOUNT, rng });
    const tags: Record<string, string> = rng.chance(0.3)
      ? { 'data-class': rng.pick(['pci', 'internal', 'public']), team: `team-${rng.int(40)}` }
      : {};
    this.countType('AWS::S3::Bucket');
    this.addShape(`bucket:${shape.id}`);
    if (shape.vpceNonCompliant) this.addNonCompliant(VPCE_ONLY);
    if (shape.tlsNonCompliant) this.addNonCompliant(TLS_ONLY);
    return bucket(name, document ? JSON.stringify(document) : null, tags);
  }
}

/** Streams the items to `emit` in snapshot order and returns what the rules must find. */
const synthesize = (options: SynthOptions, emit: (item: Item) => void): Expectations => {
  if (!Number.isInteger(options.resources) || options.resources < 0) {
    throw new RangeError(`resources must be a whole number, got ${options.resources}`);
  }
  return new Synthesizer({ profile: 'mixed', ...options }).run(emit);
};

/**
 * Writes the snapshot to a file descriptor as it is made, so a 100k-item account never sits in
 * memory as one string; returns the expectations.
 */
const writeSnapshot = (fd: number, options: SynthOptions): Expectations => {
  const FLUSH_AT = 1 << 20;
  let buffer = '{"fileVersion":"1.0","configurationItems":[';
  let first = true;
  const expected = synthesize(options, (item) => {
    buffer += (first ? '\n' : ',\n') + JSON.stringify(item);
    first = false;
    if (buffer.length >= FLUSH_AT) {
      writeSync(fd, buffer);
      buffer = '';
    }
  });
  writeSync(fd, `${buffer}\n]}\n`);
  return expected;
};

/** The whole snapshot in memory, for tests and small benchmarks. */
const synthesizeSnapshot = (
  options: SynthOptions,
): { snapshot: { fileVersion: string; configurationItems: Item[] }; expected: Expectations } => {
  const configurationItems: Item[] = [];
  const expected = synthesize(options, (item) => configurationItems.push(item));
  return { snapshot: { fileVersion: '1.0', configurationItems }, expected };
};

export type { Expectations, Profile, SynthOptions };
export { synthesize, synthesizeSnapshot, writeSnapshot };
