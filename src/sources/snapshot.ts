import { ConfigItemParseError, SnapshotError } from '../errors.js';
import {
  type Bucket,
  type NatGateway,
  type PrefixList,
  type Resource,
  type ResourceOf,
  type ResourceType,
  type RouteTable,
  refKey,
  type SecurityGroup,
  type Subnet,
  type Vpc,
  type VpcEndpoint,
} from '../model/resources.js';
import { isRecord } from '../util/json.js';
import { captureTimeMillis } from '../util/time.js';
import { type ConfigItem, parseConfigurationItem } from './config-item.js';
import { readSnapshotChunks } from './snapshot-file.js';
import {
  ITEM_LISTS,
  type ItemList,
  parseItemText,
  SnapshotScanner,
  SnapshotSyntaxError,
} from './snapshot-scanner.js';
import type { AccountView, PrefixListSelector } from './view.js';

/** An item the snapshot holds but could not read; the CLI reports these instead of dropping them. */
interface SkippedItem {
  resourceType?: string | undefined;
  resourceId?: string | undefined;
  reason: string;
}

/** The types a view indexes by VPC. */
const VPC_SCOPED_TYPES = [
  'AWS::EC2::Subnet',
  'AWS::EC2::RouteTable',
  'AWS::EC2::VPCEndpoint',
  'AWS::EC2::NatGateway',
] as const;

type VpcScopedType = (typeof VPC_SCOPED_TYPES)[number];

const byVpc = <T extends { vpcId?: string | undefined }>(items: T[]): Map<string, T[]> => {
  const index = new Map<string, T[]>();
  for (const item of items) {
    if (!item.vpcId) continue;
    const list = index.get(item.vpcId);
    if (list) list.push(item);
    else index.set(item.vpcId, [item]);
  }
  return index;
};

/** The raw item's capture time as written (read as a time only when two items of a resource meet). */
const captureOf = (raw: unknown): unknown =>
  typeof raw === 'object' && raw !== null
    ? (raw as Record<string, unknown>).configurationItemCaptureTime
    : undefined;

/** A capture time in epoch milliseconds, ISO or epoch alike; items without one rank oldest. */
const captureMillis = (capture: unknown): number =>
  captureTimeMillis(capture) ?? Number.NEGATIVE_INFINITY;

/**
 * The newest item seen of one resource. Its capture time is parsed only once another item of the
 * same resource turns up: a snapshot holds one item per resource, so most are never compared.
 */
interface Latest {
  capture: unknown;
  /** `captureMillis(capture)` once computed. */
  millis: number | undefined;
  item: ConfigItem | undefined;
}

/** Collects raw items one at a time (see `SnapshotView.builder`). */
interface SnapshotBuilder {
  add(raw: unknown): void;
  build(): SnapshotView;
}

/** A resource the snapshot shows as deleted or no longer recorded (its newest item). */
interface GoneItem {
  resourceType: string;
  resourceId: string;
  status: string;
  captureTime?: string | undefined;
}

/**
 * An AccountView over resources held in memory (a Config snapshot file, fixtures, or the demo
 * account). Indexes are built once, so every query is a map lookup.
 */
class SnapshotView implements AccountView {
  readonly skipped: SkippedItem[];
  /** Resources whose newest item says they were deleted or are no longer recorded. */
  readonly gone: GoneItem[];
  readonly items: ConfigItem[];
  // Built on first use: a scan reads resources by VPC and type (src/scan/memory-view.ts), and
  // only the CLI's fixes and one-off reads ask by key.
  private keyIndex: Map<string, Resource> | undefined;
  private readonly keyed: readonly Resource[];
  private readonly byType = new Map<ResourceType, Resource[]>();
  private readonly vpcIndexes = new Map<VpcScopedType, Map<string, Resource[]>>();
  private readonly endpointsByGroup = new Map<string, VpcEndpoint[]>();
  private readonly prefixListItems: PrefixList[];

  private constructor(
    resources: Resource[],
    items: ConfigItem[],
    skipped: SkippedItem[],
    gone: GoneItem[],
    prefixLists: PrefixList[] = [],
  ) {
    this.prefixListItems = prefixLists;
    this.items = items;
    this.skipped = skipped;
    this.gone = gone;
    this.keyed = resources;
    for (const resource of resources) {
      const list = this.byType.get(resource.type);
      if (list) list.push(resource);
      else this.byType.set(resource.type, [resource]);
    }
    for (const type of VPC_SCOPED_TYPES) this.vpcIndexes.set(type, byVpc(this.all(type)));
    for (const endpoint of this.all('AWS::EC2::VPCEndpoint')) {
      for (const groupId of endpoint.securityGroupIds) {
        const list = this.endpointsByGroup.get(groupId);
        if (list) list.push(endpoint);
        else this.endpointsByGroup.set(groupId, [endpoint]);
      }
    }
  }

  /** Every resource by `refKey`, the last of a key winning in the first one's place. */
  private get byKey(): Map<string, Resource> {
    if (this.keyIndex === undefined) {
      this.keyIndex = new Map();
      for (const resource of this.keyed) this.keyIndex.set(refKey(resource), resource);
    }
    return this.keyIndex;
  }

  /** Builds a view from raw Config items; unreadable items are collected in `skipped`, not thrown. */
  static fromItems(rawItems: readonly unknown[]): SnapshotView {
    const builder = SnapshotView.builder();
    for (const raw of rawItems) builder.add(raw);
    return builder.build();
  }

  /**
   * Builds a view one raw item at a time, so a streamed snapshot never holds its raw items: each
   * is normalised at once and dropped.
   */
  static builder(): SnapshotBuilder {
    const items: ConfigItem[] = [];
    const skipped: SkippedItem[] = [];
    // The newest capture of each resource decides, whether it reads, is a deletion, or is broken:
    // an older readable item never stands in for a newer unreadable one.
    // By the key `${type}|${id}` cut at its first `|` (by type, then id, for every real type),
    // so no key string is built per item; `order` keeps the keys' first-seen order.
    const latest = new Map<string, Map<string, Latest>>();
    const order: Latest[] = [];
    const consider = (type: string, id: string, capture: unknown, item?: ConfigItem) => {
      const bar = type.indexOf('|');
      const outer = bar < 0 ? type : type.slice(0, bar);
      const inner = bar < 0 ? id : `${type.slice(bar + 1)}|${id}`;
      let ofType = latest.get(outer);
      if (!ofType) {
        ofType = new Map();
        latest.set(outer, ofType);
      }
      const previous = ofType.get(inner);
      if (!previous) {
        const entry: Latest = { capture, millis: undefined, item };
        ofType.set(inner, entry);
        order.push(entry);
        return;
      }
      previous.millis ??= captureMillis(previous.capture);
      const millis = captureMillis(capture);
      if (millis >= previous.millis) {
        previous.capture = capture;
        previous.millis = millis;
        previous.item = item;
      }
    };
    const add = (raw: unknown): void => {
      try {
        const item = parseConfigurationItem(raw);
        items.push(item);
        consider(item.resourceType, item.resourceId, captureOf(raw), item);
      } catch (error) {
        if (!(error instanceof ConfigItemParseError)) throw error;
        skipped.push({
          resourceType: error.resourceType,
          resourceId: error.resourceId,
          reason: error.message,
        });
        if (error.resourceType && error.resourceId) {
          consider(error.resourceType, error.resourceId, captureOf(raw));
        }
      }
    };
    const build = (): SnapshotView => {
      const resources: Resource[] = [];
      const gone: GoneItem[] = [];
      const prefixLists: PrefixList[] = [];
      for (const { item } of order) {
        if (!item) continue;
        if (item.resource) resources.push(item.resource);
        if (item.prefixList) prefixLists.push(item.prefixList);
        if (item.status !== 'OK' && item.status !== 'ResourceDiscovered') {
          gone.push({
            resourceType: item.resourceType,
            resourceId: item.resourceId,
            status: item.status,
            captureTime: item.captureTime,
          });
        }
      }
      return new SnapshotView(resources, items, skipped, gone, prefixLists);
    };
    return { add, build };
  }

  static fromResources(
    resources: readonly Resource[],
    prefixLists: readonly PrefixList[] = [],
  ): SnapshotView {
    return new SnapshotView([...resources], [], [], [], [...prefixLists]);
  }

  resources(): Resource[] {
    return [...this.byKey.values()];
  }

  all<T extends ResourceType>(type: T): ResourceOf<T>[] {
    return (this.byType.get(type) ?? []) as ResourceOf<T>[];
  }

  /**
   * This view's index of a type by VPC: one shared array per VPC for the view's life (the
   * synchronous reads of a scan, src/scan/memory-view.ts, answer from it without copying).
   */
  byVpc<T extends VpcScopedType>(type: T): ReadonlyMap<string, readonly ResourceOf<T>[]> {
    return (this.vpcIndexes.get(type) ?? new Map()) as unknown as ReadonlyMap<
      string,
      readonly ResourceOf<T>[]
    >;
  }

  async get<T extends ResourceType>(type: T, id: string): Promise<ResourceOf<T> | undefined> {
    return this.byKey.get(`${type}|${id}`) as ResourceOf<T> | undefined;
  }

  async list<T extends ResourceType>(type: T): Promise<ResourceOf<T>[]> {
    return [...this.all(type)];
  }

  async vpc(vpcId: string): Promise<Vpc | undefined> {
    return this.get('AWS::EC2::VPC', vpcId);
  }

  async subnetsOfVpc(vpcId: string): Promise<Subnet[]> {
    return [...(this.byVpc('AWS::EC2::Subnet').get(vpcId) ?? [])];
  }

  async routeTablesOfVpc(vpcId: string): Promise<RouteTable[]> {
    return [...(this.byVpc('AWS::EC2::RouteTable').get(vpcId) ?? [])];
  }

  async endpointsOfVpc(vpcId: string): Promise<VpcEndpoint[]> {
    return [...(this.byVpc('AWS::EC2::VPCEndpoint').get(vpcId) ?? [])];
  }

  async natGatewaysOfVpc(vpcId: string): Promise<NatGateway[]> {
    return [...(this.byVpc('AWS::EC2::NatGateway').get(vpcId) ?? [])];
  }

  async securityGroups(groupIds: readonly string[]): Promise<SecurityGroup[]> {
    return groupIds.flatMap((id) => {
      const group = this.byKey.get(`AWS::EC2::SecurityGroup|${id}`);
      return group ? [group as SecurityGroup] : [];
    });
  }

  async endpointsUsingSecurityGroup(groupId: string): Promise<VpcEndpoint[]> {
    return [...(this.endpointsByGroup.get(groupId) ?? [])];
  }

  async bucket(name: string): Promise<Bucket | undefined> {
    return this.get('AWS::S3::Bucket', name);
  }

  async prefixLists(selector: PrefixListSelector): Promise<PrefixList[]> {
    const ids = new Set(selector.ids ?? []);
    const names = new Set(selector.names ?? []);
    return this.prefixListItems.filter(
      (list) => ids.has(list.id) || (list.name !== undefined && names.has(list.name)),
    );
  }

  async routeTablesRoutingTo(targetId: string): Promise<RouteTable[]> {
    return this.all('AWS::EC2::RouteTable').filter((table) =>
      table.routes.some((route) => route.target.id === targetId),
    );
  }
}

const NOT_A_SNAPSHOT =
  'is not an AWS Config snapshot: expected {"fileVersion":"1.0","configurationItems":[...]} (or the output of get-resource-config-history, batch-get-resource-config or select-resource-config)';

/** The list a document's items are read from: a bare array, or the first item list it has. */
const itemListOf = (document: unknown): ItemList | undefined => {
  if (Array.isArray(document)) return 'document';
  if (typeof document !== 'object' || document === null) return undefined;
  return ITEM_LISTS.find((key) => Array.isArray((document as Record<string, unknown>)[key]));
};

/**
 * Reads the items of a document: a Config snapshot (`{"fileVersion":"1.0","configurationItems":[...]}`),
 * the output of `aws configservice get-resource-config-history` (`configurationItems`),
 * `batch-get-resource-config` (`baseConfigurationItems`) or `select-resource-config` (`Results`,
 * each a JSON string), or a bare array of items.
 */
const snapshotItemsOf = (document: unknown, source: string): unknown[] => {
  const list = itemListOf(document);
  if (!list) throw new SnapshotError(`${source} ${NOT_A_SNAPSHOT}`);
  const items = (
    list === 'document' ? document : (document as Record<string, unknown>)[list]
  ) as unknown[];
  return items.map((item) => (typeof item === 'string' ? parseItemString(item) : item));
};

/** Select results are JSON strings; one that does not parse stays a string and is reported. */
const parseItemString = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * Streams a snapshot file: the scanner hands over each item's text as it ends, which is parsed,
 * normalised into the model and dropped, so memory holds the model, never the file's text or its
 * parsed document. Every list a document may take its items from is read (normally there is
 * one); the document's remaining skeleton decides which counts, as `snapshotItemsOf` would.
 */
const loadSnapshot = async (path: string): Promise<SnapshotView> => {
  const builders = new Map<ItemList, SnapshotBuilder>();
  const scanner = new SnapshotScanner({
    list: (list) => {
      builders.set(list, SnapshotView.builder());
    },
    item: (list, index, text, offset) => {
      const raw = parseItemText(text, index, offset);
      builders.get(list)?.add(typeof raw === 'string' ? parseItemString(raw) : raw);
    },
  });
  let document: unknown;
  try {
    await readSnapshotChunks(path, (chunk) => scanner.feed(chunk));
    document = scanner.parseSkeleton(scanner.end());
  } catch (error) {
    if (!(error instanceof SnapshotSyntaxError)) throw error;
    throw new SnapshotError(`snapshot file ${path} is not valid JSON: ${error.message}`, {
      cause: error,
    });
  }
  const list = itemListOf(document);
  if (!list) throw new SnapshotError(`${path} ${NOT_A_SNAPSHOT}`);
  const view = (builders.get(list) ?? SnapshotView.builder()).build();
  view.skipped.push(...unreturnedOf(document, path));
  return view;
};

/**
 * What a saved API answer says it left out. A page with a `NextToken` is refused: which resources
 * the other pages hold cannot be told, and a gate must not pass on a part of the account. Keys
 * `batch-get-resource-config` returned as unprocessed are skipped items, so each still ends with a
 * could-not-verify verdict for its rules.
 */
const unreturnedOf = (document: unknown, path: string): SkippedItem[] => {
  if (!isRecord(document)) return [];
  const token = document.NextToken ?? document.nextToken;
  if (typeof token === 'string' && token !== '') {
    throw new SnapshotError(
      `${path} holds one page of a paged answer (it has a NextToken): save every page (the AWS CLI pages by itself unless --max-items or --no-paginate is given), or remove the token to scan this page alone`,
    );
  }
  const unprocessed = document.unprocessedResourceKeys ?? document.UnprocessedResourceKeys;
  if (!Array.isArray(unprocessed)) return [];
  return unprocessed.map((key) => {
    const resourceType = isRecord(key) ? (key.resourceType ?? key.ResourceType) : undefined;
    const resourceId = isRecord(key) ? (key.resourceId ?? key.ResourceId) : undefined;
    return {
      resourceType: typeof resourceType === 'string' ? resourceType : undefined,
      resourceId: typeof resourceId === 'string' ? resourceId : undefined,
      reason:
        'batch-get-resource-config returned it unprocessed (unprocessedResourceKeys), so the file holds no configuration for it; ask for it again',
    };
  });
};

export type { GoneItem, SkippedItem, SnapshotBuilder, VpcScopedType };
export { loadSnapshot, SnapshotView, snapshotItemsOf };
