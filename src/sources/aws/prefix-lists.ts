import {
  type ManagedPrefixList,
  type PrefixListEntry,
  paginateDescribeManagedPrefixLists,
  paginateGetManagedPrefixListEntries,
} from '@aws-sdk/client-ec2';
import type { PrefixList } from '../../model/resources.js';
import type { PrefixListSelector } from '../view.js';
import { prefixListFromSdk } from './normalise.js';
import type { ReadContext } from './read-context.js';
import { isDenied, readFailure } from './read-errors.js';

/**
 * Managed prefix lists, live: one DescribeManagedPrefixLists per view (so per region: a view reads
 * one region), and GetManagedPrefixListEntries once per list a rule asks about. The AWS-managed
 * lists (`com.amazonaws.<region>.s3`) hold the service ranges a Gateway endpoint's route matches.
 */

const PAGE_SIZE = 100;

class PrefixListReader {
  private readonly context: ReadContext;
  private listsPromise: Promise<ManagedPrefixList[]> | undefined;
  private readonly entries = new Map<string, Promise<PrefixListEntry[] | undefined>>();

  constructor(context: ReadContext) {
    this.context = context;
  }

  /**
   * The lists named by id or name, with their entries. A list whose entries were denied is left
   * out (unknown, so rules report what they could not verify); a denied list read throws a denied
   * `AwsReadError`.
   */
  async read(selector: PrefixListSelector): Promise<PrefixList[]> {
    const ids = new Set(selector.ids ?? []);
    const names = new Set(selector.names ?? []);
    if (ids.size === 0 && names.size === 0) return [];
    const wanted = (await this.lists()).filter(
      (list) =>
        (list.PrefixListId !== undefined && ids.has(list.PrefixListId)) ||
        (list.PrefixListName !== undefined && names.has(list.PrefixListName)),
    );
    const read = await Promise.all(
      wanted.map(async (list) => {
        const entries = await this.entriesOf(list);
        return entries ? [prefixListFromSdk(list, entries)] : [];
      }),
    );
    return read.flat();
  }

  private lists(): Promise<ManagedPrefixList[]> {
    this.listsPromise ??= (async () => {
      const lists: ManagedPrefixList[] = [];
      try {
        for await (const page of paginateDescribeManagedPrefixLists(
          { client: this.context.clients.ec2, pageSize: PAGE_SIZE },
          {},
        )) {
          lists.push(...(page.PrefixLists ?? []));
        }
      } catch (error) {
        throw readFailure('ec2:DescribeManagedPrefixLists', error);
      }
      return lists;
    })();
    return this.listsPromise;
  }

  private entriesOf(list: ManagedPrefixList): Promise<PrefixListEntry[] | undefined> {
    const id = list.PrefixListId ?? '';
    let pending = this.entries.get(id);
    if (!pending) {
      pending = (async () => {
        const entries: PrefixListEntry[] = [];
        try {
          for await (const page of paginateGetManagedPrefixListEntries(
            { client: this.context.clients.ec2, pageSize: PAGE_SIZE },
            { PrefixListId: id },
          )) {
            entries.push(...(page.Entries ?? []));
          }
        } catch (error) {
          if (!isDenied(error)) throw readFailure('ec2:GetManagedPrefixListEntries', error);
          this.context.warnings.push(
            `Entries of prefix list ${id} unknown: ec2:GetManagedPrefixListEntries was denied`,
          );
          return undefined;
        }
        return entries;
      })();
      this.entries.set(id, pending);
    }
    return pending;
  }
}

export { PrefixListReader };
