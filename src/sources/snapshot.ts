import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
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
import { captureTimeMillis } from '../util/time.js';
import { type ConfigItem, parseConfigurationItem } from './config-item.js';
import type { AccountView, PrefixListSelector } from './view.js';

/** An item the snapshot holds but could not read; the CLI reports these instead of dropping them. */
interface SkippedItem {
  resourceType?: string | undefined;
  resourceId?: string | undefined;
  reason: string;
}

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

/** The raw item's capture time, ISO or epoch alike; items without one rank oldest. */
const captureMillis = (raw: unknown): number =>
  (typeof raw === 'object' && raw !== null
    ? captureTimeMillis((raw as Record<string, unknown>).configurationItemCaptureTime)
    : undefined) ?? Number.NEGATIVE_INFINITY;

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
  private readonly byKey = new Map<string, Resource>();
  private readonly byType = new Map<ResourceType, Resource[]>();
  private readonly subnetsByVpc: Map<string, Subnet[]>;
  private readonly tablesByVpc: Map<string, RouteTable[]>;
  private readonly endpointsByVpc: Map<string, VpcEndpoint[]>;
  private readonly natsByVpc: Map<string, NatGateway[]>;
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
    for (const resource of resources) {
      this.byKey.set(refKey(resource), resource);
      const list = this.byType.get(resource.type);
      if (list) list.push(resource);
      else this.byType.set(resource.type, [resource]);
    }
    this.subnetsByVpc = byVpc(this.all('AWS::EC2::Subnet'));
    this.tablesByVpc = byVpc(this.all('AWS::EC2::RouteTable'));
    this.endpointsByVpc = byVpc(this.all('AWS::EC2::VPCEndpoint'));
    this.natsByVpc = byVpc(this.all('AWS::EC2::NatGateway'));
    for (const endpoint of this.all('AWS::EC2::VPCEndpoint')) {
      for (const groupId of endpoint.securityGroupIds) {
        const list = this.endpointsByGroup.get(groupId);
        if (list) list.push(endpoint);
        else this.endpointsByGroup.set(groupId, [endpoint]);
      }
    }
  }

  /** Builds a view from raw Config items; unreadable items are collected in `skipped`, not thrown. */
  static fromItems(rawItems: readonly unknown[]): SnapshotView {
    const items: ConfigItem[] = [];
    const skipped: SkippedItem[] = [];
    // The newest capture of each resource decides, whether it reads, is a deletion, or is broken:
    // an older readable item never stands in for a newer unreadable one.
    const latest = new Map<string, { millis: number; item?: ConfigItem }>();
    const consider = (key: string, millis: number, item?: ConfigItem) => {
      const previous = latest.get(key);
      if (!previous || millis >= previous.millis)
        latest.set(key, item ? { millis, item } : { millis });
    };
    for (const raw of rawItems) {
      try {
        const item = parseConfigurationItem(raw);
        items.push(item);
        consider(`${item.resourceType}|${item.resourceId}`, captureMillis(raw), item);
      } catch (error) {
        if (!(error instanceof ConfigItemParseError)) throw error;
        skipped.push({
          resourceType: error.resourceType,
          resourceId: error.resourceId,
          reason: error.message,
        });
        if (error.resourceType && error.resourceId) {
          consider(`${error.resourceType}|${error.resourceId}`, captureMillis(raw));
        }
      }
    }
    const newest = [...latest.values()].flatMap((entry) => (entry.item ? [entry.item] : []));
    const resources = newest.flatMap((item) => (item.resource ? [item.resource] : []));
    const gone = newest.flatMap((item): GoneItem[] =>
      item.status === 'OK' || item.status === 'ResourceDiscovered'
        ? []
        : [
            {
              resourceType: item.resourceType,
              resourceId: item.resourceId,
              status: item.status,
              captureTime: item.captureTime,
            },
          ],
    );
    const prefixLists = newest.flatMap((item) => (item.prefixList ? [item.prefixList] : []));
    return new SnapshotView(resources, items, skipped, gone, prefixLists);
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
    return [...(this.subnetsByVpc.get(vpcId) ?? [])];
  }

  async routeTablesOfVpc(vpcId: string): Promise<RouteTable[]> {
    return [...(this.tablesByVpc.get(vpcId) ?? [])];
  }

  async endpointsOfVpc(vpcId: string): Promise<VpcEndpoint[]> {
    return [...(this.endpointsByVpc.get(vpcId) ?? [])];
  }

  async natGatewaysOfVpc(vpcId: string): Promise<NatGateway[]> {
    return [...(this.natsByVpc.get(vpcId) ?? [])];
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

/** Where each supported document keeps its items. */
const ITEM_LISTS = ['configurationItems', 'baseConfigurationItems', 'Results'] as const;

/**
 * Reads the items of a document: a Config snapshot (`{"fileVersion":"1.0","configurationItems":[...]}`),
 * the output of `aws configservice get-resource-config-history` (`configurationItems`),
 * `batch-get-resource-config` (`baseConfigurationItems`) or `select-resource-config` (`Results`,
 * each a JSON string), or a bare array of items.
 */
const snapshotItemsOf = (document: unknown, source: string): unknown[] => {
  const list = Array.isArray(document)
    ? document
    : typeof document === 'object' && document !== null
      ? ITEM_LISTS.map((key) => (document as Record<string, unknown>)[key]).find(Array.isArray)
      : undefined;
  if (!list) {
    throw new SnapshotError(
      `${source} is not an AWS Config snapshot: expected {"fileVersion":"1.0","configurationItems":[...]} (or the output of get-resource-config-history, batch-get-resource-config or select-resource-config)`,
    );
  }
  return list.map((item) => (typeof item === 'string' ? parseItemString(item) : item));
};

/** Select results are JSON strings; one that does not parse stays a string and is reported. */
const parseItemString = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** Pseudo-filesystems whose "files" are process or kernel state, never a snapshot. */
const SYSTEM_ROOTS = ['/proc/', '/sys/', '/dev/'];

/**
 * Reads a snapshot file's text without ever blocking or echoing what is not a snapshot: FIFOs,
 * devices and sockets are refused before reading (a FIFO would block forever), and so is any path
 * that resolves into /proc, /sys or /dev (their entries pass for regular files).
 */
const readSnapshotText = async (path: string): Promise<string> => {
  let resolved: string;
  try {
    resolved = await realpath(path);
  } catch (error) {
    throw new SnapshotError(`cannot read snapshot file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (SYSTEM_ROOTS.some((root) => `${resolved}/`.startsWith(root))) {
    throw new SnapshotError(
      `snapshot file ${path} is not a regular file (it resolves into a system directory)`,
    );
  }
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting forever.
    handle = await open(resolved, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new SnapshotError(`snapshot file ${path} is not a regular file`);
    }
    return await handle.readFile('utf8');
  } catch (error) {
    if (error instanceof SnapshotError) throw error;
    throw new SnapshotError(`cannot read snapshot file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await handle?.close();
  }
};

/** JSON.parse's message quotes the text it choked on; only the position is repeated. */
const jsonErrorWhere = (error: unknown): string => {
  const position = /position (\d+)/.exec((error as Error)?.message ?? '')?.[1];
  return position === undefined
    ? 'not valid JSON'
    : `not valid JSON (error at position ${position})`;
};

const loadSnapshot = async (path: string): Promise<SnapshotView> => {
  let text = await readSnapshotText(path);
  // Editors on Windows save UTF-8 with a byte order mark; JSON.parse rejects it.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(`snapshot file ${path} is ${jsonErrorWhere(error)}`, { cause: error });
  }
  return SnapshotView.fromItems(snapshotItemsOf(document, path));
};

export type { GoneItem, SkippedItem };
export { loadSnapshot, SnapshotView, snapshotItemsOf };
