import { PLACEHOLDER, type Renaming, spellsPlaceholder } from './cache.js';
import { prepareRenamesHold } from './identifier-checks.js';
import { namesOriginal, type Rename } from './identifiers.js';
import { LruCache } from './lru.js';
import { keyOf, type Slot, type SlotKind, type Tokens, tokenize } from './template-tokens.js';

/**
 * Text templates: a second, cheaper way to the shape cache's answer. Policies written from one
 * template differ only in the contents of a few JSON strings — Sids, identifiers, role names,
 * bucket names — so the text with those contents cut out (the skeleton) names the template. The
 * first policy of a skeleton goes the whole way (parse, rename, analyse: cache.ts) and leaves here
 * how each cut-out string was treated: renamed to a placeholder or kept as written (an Allow
 * statement the parser accepts is one mark, with no slots: template-tokens.ts). A later policy of
 * the same skeleton takes the stored verdict, with its own names put back, only when it would have
 * been renamed the same way: equal strings where the first had equal strings, the same kept strings, and every
 * renamed identifier passing the same checks against the same strings (identifiers.ts
 * `prepareRenamesHold`). Anything else goes the whole way. The skeleton keeps every other
 * character of the text, so two policies of one skeleton parse to the same statements but for
 * those strings.
 */

type Role =
  | { role: 'kept'; value: string }
  | { role: 'renamed'; placeholder: string; key: string | undefined };

interface Template<W> {
  bucketAbstracted: boolean;
  keptName: string;
  renaming: Renaming;
  worded: W;
  /** The renames of the first policy that took this template's verdict (same placeholders). */
  restored?: readonly Rename[];
  /** Slots whose strings must stay as the first policy had them. */
  kept: readonly { index: number; value: string }[];
  /**
   * The first slot of each placeholder other than the bucket's own, in slot order (so every
   * policy of the template lists its renames in one order): the rest hold equal strings.
   */
  firsts: readonly {
    index: number;
    kind: SlotKind;
    placeholder: string;
    key: string | undefined;
  }[];
  /** The identifier checks of the values and names among `firsts`, prepared on the first recall. */
  holds?: (originals: readonly string[]) => boolean;
}

/**
 * Texts never templated: one that is not plain (that covers a text holding the mark raw: it is a
 * control character), or a text or bucket name spelled like a placeholder (it would be put back as
 * a name). Both bucket rules ask of one text in turn: its tokens remember the answer.
 */
const unusable = (tokens: Tokens, text: string, name: string): boolean => {
  tokens.spells ??= spellsPlaceholder(text);
  return !tokens.plain || tokens.spells || spellsPlaceholder(name);
};

// Contexts are a rule's fence per account; each keeps its templates, and the least used go first.
const CONTEXTS_HELD = 256;
const TEMPLATES_HELD = 5_000;

/** The first policy's placeholders, by the kind of string they stand for. */
interface Placeholders {
  sids: ReadonlyMap<string, string>;
  names: ReadonlyMap<string, string>;
  values: ReadonlyMap<string, string>;
  buckets: ReadonlyMap<string, string>;
}

const placeholdersOf = (renaming: Renaming): Placeholders => {
  const sids = new Map<string, string>();
  const values = new Map<string, string>();
  for (const rename of renaming.ids.renames) {
    if (rename.kind === 'token') values.set(rename.original, rename.placeholder);
    else if (!rename.placeholder.startsWith('__vg_name'))
      sids.set(rename.original, rename.placeholder);
  }
  const buckets = new Map(renaming.bucketRenames.map((r) => [r.original, r.placeholder]));
  // Names by the whole ARN: roles of one name in two accounts are two identifiers.
  return { sids, names: renaming.ids.names, values, buckets };
};

/**
 * How the first policy of a skeleton treated one cut-out string: renamed, or else kept as written.
 * No slot lies in an Allow statement: in a text that parses, each is one mark.
 */
const roleOf = (slot: Slot, name: string, renaming: Renaming, placeholders: Placeholders): Role => {
  const renamed = (placeholder: string, key?: string): Role => ({
    role: 'renamed',
    placeholder,
    key,
  });
  const otherwise: Role = { role: 'kept', value: slot.value };
  switch (slot.kind) {
    case 'sid': {
      const placeholder = placeholders.sids.get(slot.value);
      return placeholder ? renamed(placeholder) : otherwise;
    }
    case 'bucket': {
      const placeholder = placeholders.buckets.get(slot.value);
      if (slot.value === name && !renaming.bucketAbstracted)
        return { role: 'kept', value: slot.value };
      return placeholder ? renamed(placeholder) : otherwise;
    }
    case 'name': {
      // The shape renames the principals of its Deny statements, by the whole ARN.
      const placeholder = placeholders.names.get(slot.whole);
      return placeholder ? renamed(placeholder) : otherwise;
    }
    case 'value': {
      const placeholder = placeholders.values.get(slot.value);
      const key = renaming.ids.keys.get(slot.value);
      return placeholder && key ? renamed(placeholder, key) : otherwise;
    }
  }
};

/** Templates of one kind of verdict: by context, then by where equal strings sit and skeleton. */
class TemplateCache<W> {
  // Contexts are few (a rule's fence per account) and long: keyed apart, they are hashed once.
  private readonly byContext = new LruCache<string, LruCache<string, Template<W>>>(CONTEXTS_HELD);

  private templatesOf(context: string): LruCache<string, Template<W>> {
    let templates = this.byContext.get(context);
    if (templates === undefined) {
      templates = new LruCache(TEMPLATES_HELD);
      this.byContext.set(context, templates);
    }
    return templates;
  }

  /**
   * Remembers how a policy was judged, when its identifiers were all renamed (a policy where some
   * stayed as written is judged the whole way each time) and every placeholder sits in a cut-out
   * string. `statementCount` is how many statements its parse holds.
   */
  remember(
    context: string,
    text: string,
    name: string,
    statementCount: number,
    renaming: Renaming,
    worded: W,
  ): void {
    if (!renaming.ids.complete) return;
    const tokens = tokenize(text);
    const { slots, statements, statementKeys } = tokens;
    if (
      unusable(tokens, text, name) ||
      slots.length === 0 ||
      statementKeys !== 1 ||
      statements !== statementCount
    ) {
      return;
    }
    const placeholders = placeholdersOf(renaming);
    const roles = slots.map((slot) => roleOf(slot, name, renaming, placeholders));
    const covered = new Set(roles.flatMap((r) => (r.role === 'renamed' ? [r.placeholder] : [])));
    // The bucket's own placeholder goes back whether or not the text names the bucket.
    const needed = [...renaming.ids.renames, ...renaming.bucketRenames]
      .map((r) => r.placeholder)
      .filter((placeholder) => placeholder !== PLACEHOLDER);
    if (!needed.every((placeholder) => covered.has(placeholder))) return;
    const kept: Template<W>['kept'][number][] = [];
    const firsts: Template<W>['firsts'][number][] = [];
    const seen = new Set<string>([PLACEHOLDER]);
    roles.forEach((role, index) => {
      if (role.role === 'kept') kept.push({ index, value: role.value });
      if (role.role !== 'renamed' || seen.has(role.placeholder)) return;
      seen.add(role.placeholder);
      const { kind } = slots[index] as Slot;
      firsts.push({ index, kind, placeholder: role.placeholder, key: role.key });
    });
    this.templatesOf(context).set(keyOf(tokens, name), {
      bucketAbstracted: renaming.bucketAbstracted,
      keptName: name,
      renaming,
      worded,
      kept,
      firsts,
    });
  }

  /**
   * The stored verdict and this policy's renames, or `undefined` to go the whole way. `canonical`
   * is the template's first list of renames: every policy of the template lists its renames in the
   * order of `firsts`, so plans made with the first list (restore.ts) fill for all of them.
   */
  recall(
    context: string,
    text: string,
    name: string,
  ): { worded: W; renames: Rename[]; canonical: readonly Rename[] } | undefined {
    const templates = this.byContext.get(context);
    if (templates === undefined) return undefined;
    const tokens = tokenize(text);
    if (unusable(tokens, text, name)) return undefined;
    const template = templates.get(keyOf(tokens, name));
    if (template === undefined) return undefined;
    if (!template.bucketAbstracted && name !== template.keptName) return undefined;
    const { slots } = tokens;
    for (const { index, value } of template.kept) {
      if ((slots[index] as Slot).value !== value) return undefined;
    }
    const renames: Rename[] = template.bucketAbstracted
      ? [{ placeholder: PLACEHOLDER, original: name, kind: 'plain' }]
      : [];
    // The values and role or user ARNs are checked, in `firsts` order.
    const checked: string[] = [];
    // As the shape cache does: a real identifier in the shared result would be a coincidence.
    const identifiers: Rename[] = [];
    for (const { index, kind, placeholder } of template.firsts) {
      const slot = slots[index] as Slot;
      if (kind === 'bucket' && slot.value.includes('_')) return undefined;
      const rename: Rename = {
        placeholder,
        original: slot.value,
        kind: kind === 'value' ? 'token' : 'plain',
      };
      renames.push(rename);
      if (kind === 'value' || kind === 'name') {
        checked.push(kind === 'name' ? slot.prefix + slot.value : slot.value);
        identifiers.push(rename);
      }
    }
    const { renaming } = template;
    template.holds ??= prepareRenamesHold(
      template.firsts.flatMap(({ index, kind, placeholder, key }) => {
        if (kind === 'value') return [{ placeholder, key }];
        if (kind === 'name') {
          return [{ placeholder: (slots[index] as Slot).prefix + placeholder, key: undefined }];
        }
        return [];
      }),
      renaming.context.around,
      renaming.ids.own,
    );
    if (!template.holds(checked)) return undefined;
    if (namesOriginal(renaming.folded, identifiers)) return undefined;
    template.restored ??= renames;
    return { worded: template.worded, renames, canonical: template.restored };
  }
}

export { TemplateCache };
