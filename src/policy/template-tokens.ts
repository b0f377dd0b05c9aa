import { parseStatement } from './document.js';
import { IAM_NAME_ARN } from './identifier-checks.js';
import { LruCache } from './lru.js';

/**
 * The tokenizer of the text templates (template.ts): a policy text cut into its skeleton (the text
 * with Sids, identifiers, role and bucket names taken out of their strings) and the cut-out
 * strings, the slots.
 */

type SlotKind = 'sid' | 'bucket' | 'name' | 'value';

interface Slot {
  kind: SlotKind;
  /** The cut-out text: a Sid, a bucket name, the name of a role or user, an identifier. */
  value: string;
  /** The whole JSON string it was cut from. */
  whole: string;
  /** What precedes the value in the JSON string (an ARN's head), for names and buckets. */
  prefix: string;
  /** The statement it sits in (position in the Statement element), or -1 outside statements. */
  statement: number;
}

const S3_ARN = /^(arn:[^:*?$]*:s3:::)([^/*?$]+)(\/.*)?$/;
// Identifiers carry a digit; words without one ("Deny", "Allow") are structure.
const VALUE = /^(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{4,}$/;
// JSON text holds control characters only escaped; a text that holds this one raw is not
// templated at all, so the mark cannot be confused.
const MARK = '\u0001';

const QUOTE = 0x22;

/**
 * The skeleton and the cut-out strings of a policy text, in one pass over its characters. Each
 * slot also records the statement it sits in (by position in the Statement element), so the first
 * policy's parse tells which slots lie in Allow statements; `statements` counts them and
 * `statementKeys` counts the root's Statement keys (a text with two is never templated: its parse
 * keeps only the last).
 */
interface Tokens {
  /** The template key for the last bucket name asked (both bucket rules ask with one name). */
  keyed?: { name: string; key: string };
  skeleton: string;
  slots: readonly Slot[];
  statements: number;
  statementKeys: number;
  /** No escapes and no bare numbers: only such texts are templated. */
  plain: boolean;
  /** Whether the text spells a placeholder (template.ts asks, once per text). */
  spells?: boolean;
}

// A backslash (an escape) or a control character other than JSON's whitespace: never templated.
// biome-ignore lint/suspicious/noControlCharactersInRegex: raw control characters are what it finds.
const UNPLAIN = /[\\\x00-\x08\x0b\x0c\x0e-\x1f]/;
const BREAKS = /[\t\n\r]/;

// Stands for a whole Allow statement in a skeleton; a control character, so no plain text holds it.
const ALLOW_MARK = '\u0003';
const ALLOW_WORD = '"Allow"'.length;

// Whether an Allow statement is one the policy parser accepts, by its skeleton: the parser's
// checks read structure, keys and the strings a skeleton keeps, never the contents of a slot (a
// non-empty string without escapes), so statements of one skeleton are accepted alike.
const validAllows = new LruCache<string, boolean>(2_000);

/**
 * Whether the statement `text.slice(from, to + 1)`, of this skeleton, is an Allow the policy
 * parser accepts (its own check, on the statement's text).
 */
const validAllow = (skeleton: string, text: string, from: number, to: number): boolean => {
  let valid = validAllows.get(skeleton);
  if (valid === undefined) {
    try {
      valid =
        parseStatement(JSON.parse(text.slice(from, to + 1)), 0, 'Statement').effect === 'Allow';
    } catch {
      valid = false;
    }
    validAllows.set(skeleton, valid);
  }
  return valid;
};

const tokenizeText = (text: string): Tokens => {
  // Decoded, an escaped string can equal a renamed one while staying frozen in the skeleton; a
  // raw control character makes the text fail to parse, and it must never take the verdict of a
  // valid text of the same skeleton.
  if (UNPLAIN.test(text)) {
    return { skeleton: text, slots: [], statements: 0, statementKeys: 0, plain: false };
  }
  // JSON whitespace is allowed between tokens, never raw inside a string.
  const breaks = BREAKS.test(text);
  const slots: Slot[] = [];
  let skeleton = '';
  // The key holding each container open at this point (the root's is undefined).
  const stack: (string | undefined)[] = [];
  let statements = 0;
  let statementKeys = 0;
  // A raw break inside a string (the text then does not parse), and a number outside one.
  let numeric = false;
  let plain = true;
  // The statement open at this point: where it starts in the text, the skeleton and the slots.
  let open:
    | { at: number; depth: number; skeleton: number; slots: number; numeric: boolean }
    | undefined;
  let listed = false;
  // Where the next `"Allow"` starts (none: beyond any index, as an unsigned -1).
  let nextAllow = -1;
  let pendingKey: string | undefined;
  let copied = 0;
  let index = 0;
  const length = text.length;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (code !== QUOTE) {
      // A number becomes a condition value the renamer compares as text: it would stay frozen
      // in the skeleton while equal strings around it are renamed.
      if (code >= 0x30 && code <= 0x39) numeric = true;
      if (code === 0x7d && open !== undefined && stack.length === open.depth) {
        // The statement closes: a valid Allow stands as one mark, the analysis never reads it.
        // The next `"Allow"` at or after the statement's start, found once for all statements.
        if (nextAllow < open.at) nextAllow = text.indexOf('"Allow"', open.at) >>> 0;
        if (nextAllow + ALLOW_WORD <= index + 1) {
          skeleton += text.slice(copied, index + 1);
          copied = index + 1;
          const statement = skeleton.slice(open.skeleton);
          if (validAllow(statement, text, open.at, index)) {
            skeleton = `${skeleton.slice(0, open.skeleton)}${ALLOW_MARK}`;
            slots.length = open.slots;
            numeric = open.numeric;
          }
        }
        open = undefined;
        stack.pop();
      } else if (code === 0x7d || code === 0x5d) stack.pop();
      else if (code === 0x7b || code === 0x5b) {
        stack.push(pendingKey);
        pendingKey = undefined;
        if (stack[1] === 'Statement' && code === 0x7b) {
          let opened = false;
          if (stack.length === 2) {
            listed = false;
            statements += 1;
            opened = true;
          } else if (stack.length === 3 && listed) {
            statements += 1;
            opened = true;
          }
          if (opened) {
            skeleton += text.slice(copied, index);
            copied = index;
            open = {
              at: index,
              depth: stack.length,
              skeleton: skeleton.length,
              slots: slots.length,
              numeric,
            };
          }
        }
      }
      index += 1;
      continue;
    }
    // A string: without escapes it ends at the next quote.
    let end = text.indexOf('"', index + 1);
    if (end < 0) end = length;
    const content = text.slice(index + 1, end);
    if (breaks && BREAKS.test(content)) plain = false;
    let after = end + 1;
    while (after < length && text.charCodeAt(after) <= 0x20) after += 1;
    if (text.charCodeAt(after) === 0x3a) {
      pendingKey = content;
      if (content === 'Statement' && stack.length === 1) {
        statementKeys += 1;
        let next = after + 1;
        while (next < length && text.charCodeAt(next) <= 0x20) next += 1;
        listed = text.charCodeAt(next) === 0x5b;
      }
      index = end + 1;
      continue;
    }
    const sid = pendingKey === 'Sid';
    // The key the string is a value of, directly or as an element of its list.
    const under = pendingKey ?? stack[stack.length - 1];
    pendingKey = undefined;
    index = end + 1;
    const statement =
      stack[1] !== 'Statement'
        ? -1
        : listed
          ? stack.length >= 3
            ? statements - 1
            : -1
          : statements - 1;
    let kind: SlotKind | undefined;
    let value = content;
    let prefix = '';
    let rest = '';
    if (sid) kind = content === '' ? undefined : 'sid';
    else if (content.startsWith('arn:')) {
      const name = IAM_NAME_ARN.exec(content);
      const s3 = name ? null : S3_ARN.exec(content);
      if (name?.[1] && name[2]) {
        kind = 'name';
        prefix = name[1];
        value = name[2];
      } else if (s3?.[1] && s3[2] && (under === 'Resource' || under === 'NotResource')) {
        // The shape cache renames buckets in Resource and NotResource only.
        kind = 'bucket';
        prefix = s3[1];
        value = s3[2];
        rest = s3[3] ?? '';
      }
    } else if (VALUE.test(content)) kind = 'value';
    if (kind === undefined) continue;
    slots.push({ kind, value, whole: content, prefix, statement });
    skeleton += `${text.slice(copied, end - content.length)}${prefix}${MARK}${rest}`;
    copied = end;
  }
  skeleton += text.slice(copied);
  return { skeleton, slots, statements, statementKeys, plain: plain && !numeric };
};

// Both bucket rules read the same text in turn (the scan judges a resource under every rule of its
// type before the next): the last text's tokens serve the second.
let lastText: string | undefined;
let lastTokens: Tokens | undefined;

const tokenize = (text: string): Tokens => {
  if (text !== lastText || lastTokens === undefined) {
    lastTokens = tokenizeText(text);
    lastText = text;
  }
  return lastTokens;
};

/**
 * Where equal strings sit: per slot, the first slot holding an equal string (the bucket's own name
 * counts as slot 0). Two policies of one skeleton take one template only where these agree.
 */
const classKey = (name: string, slots: readonly Slot[]): string => {
  let key = '';
  for (let index = 0; index < slots.length; index++) {
    const value = (slots[index] as Slot).value;
    let first = index + 1;
    if (value === name) first = 0;
    else {
      for (let earlier = 0; earlier < index; earlier++) {
        if ((slots[earlier] as Slot).value === value) {
          first = earlier + 1;
          break;
        }
      }
    }
    key += `${first},`;
  }
  return key;
};

/** A template's key within its context: where equal strings sit, then the skeleton. */
const keyOf = (tokens: Tokens, name: string): string => {
  if (tokens.keyed?.name !== name) {
    tokens.keyed = { name, key: `${classKey(name, tokens.slots)}\u0002${tokens.skeleton}` };
  }
  return tokens.keyed.key;
};

export type { Slot, SlotKind, Tokens };
export { keyOf, tokenize };
