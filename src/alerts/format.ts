import { requirementTitle } from '../frameworks/requirements.js';
import type { AnyRule } from '../rules/rule.js';
import { escapeCharacters } from '../util/escape.js';

/**
 * Text pieces shared by single alerts and digests: SNS's subject rules, the framework references,
 * and links into the AWS Config console.
 */

/** SNS: "must be less than 100 characters", ASCII printable, no line breaks. */
const MAX_SUBJECT = 99;
/** One SMS segment (SNS splits longer texts and bills each part). */
const MAX_SMS = 140;
const SUBJECT_PREFIX = '[vpce-guard]';

/** SNS rejects subjects with control or non-ASCII characters: replace them, collapse blanks. */
const asciiLine = (value: string): string =>
  value.replace(/\s+/g, ' ').replace(/[^\x20-\x7e]/g, '?');

/** Line breaks of every kind: Unicode's as well, which some mail clients render as new lines. */
const LINE_BREAKS = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/;
/** Other control characters, and the bidirectional overrides that reorder how text is shown. */
const isUnsafe = (code: number): boolean =>
  (code < 0x20 && code !== 0x09) ||
  (code >= 0x7f && code <= 0x9f) ||
  code === 0x200e ||
  code === 0x200f ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2066 && code <= 0x2069);

const escapeUnsafe = (line: string): string => escapeCharacters(line, isUnsafe);

/**
 * Text that comes from a resource (Config's annotation, a reason quoting a bucket or endpoint
 * policy) for a plain-text body: each of its lines indented under its heading, other control and
 * bidi characters escaped. A policy value holding line breaks then cannot start a line that passes
 * for the alert's own (a forged "Open in AWS Config:" link, a resource listed as resolved).
 */
const quotedLines = (text: string, indent: string): string[] =>
  text.split(LINE_BREAKS).map((line) => `${indent}${escapeUnsafe(line)}`);

/** Resource text for one line of a body: its line breaks become spaces. */
const oneLine = (text: string): string => quotedLines(text, '').join(' ');

/** Shortens from the middle, so both ends of an id (type prefix, unique tail) stay readable. */
const middleCut = (value: string, max: number): string => {
  if (value.length <= max) return value;
  if (max <= 3) return value.slice(0, max);
  const keep = max - 3;
  const head = Math.ceil(keep / 2);
  return `${value.slice(0, head)}...${value.slice(value.length - (keep - head))}`;
};

/**
 * `${before}${variable}${after}` within `max` characters: only the variable part (a resource id)
 * gives way; fixed parts that alone exceed the limit are cut at the end.
 */
const fitLine = (before: string, variable: string, after: string, max: number): string => {
  const fixed = asciiLine(before).length + asciiLine(after).length;
  const line =
    `${asciiLine(before)}${middleCut(asciiLine(variable), Math.max(0, max - fixed))}${asciiLine(after)}`.trim();
  return line.length <= max ? line : line.slice(0, max).trim();
};

interface Reference {
  framework: 'PCI-DSS-4.0' | 'HIPAA';
  id: string;
  title: string | undefined;
  strength: 'evidence' | 'supporting';
}

const FRAMEWORK_LABEL = { 'PCI-DSS-4.0': 'PCI DSS 4.0', HIPAA: 'HIPAA' } as const;

const referencesOf = (rule: AnyRule): Reference[] =>
  rule.frameworks.map((ref) => ({
    framework: ref.framework,
    id: ref.id,
    title: requirementTitle(ref.framework, ref.id),
    strength: ref.strength,
  }));

const referenceLines = (rule: AnyRule): string[] =>
  referencesOf(rule).map(
    (ref) =>
      `  ${FRAMEWORK_LABEL[ref.framework]} ${ref.id}${ref.title ? ` - ${ref.title}` : ''}${ref.strength === 'supporting' ? ' (supporting)' : ''}`,
  );

/** The console host of the region's partition. */
const consoleBase = (region: string): string => {
  if (region.startsWith('cn-')) return 'https://console.amazonaws.cn';
  if (region.startsWith('us-gov-')) return 'https://console.amazonaws-us-gov.com';
  return `https://${region}.console.aws.amazon.com`;
};

/** The resource's page in AWS Config: its compliance with every rule and its timeline. */
const resourceConsoleUrl = (region: string, resourceType: string, resourceId: string): string =>
  `${consoleBase(region)}/config/home?region=${region}#/resources/details?resourceId=${encodeURIComponent(resourceId)}&resourceType=${encodeURIComponent(resourceType)}`;

/** The rule's page in AWS Config: every resource it evaluated. */
const ruleConsoleUrl = (region: string, configRuleName: string): string =>
  `${consoleBase(region)}/config/home?region=${region}#/rules/details?configRuleName=${encodeURIComponent(configRuleName)}`;

export type { Reference };
export {
  asciiLine,
  FRAMEWORK_LABEL,
  fitLine,
  MAX_SMS,
  MAX_SUBJECT,
  middleCut,
  oneLine,
  quotedLines,
  referenceLines,
  referencesOf,
  resourceConsoleUrl,
  ruleConsoleUrl,
  SUBJECT_PREFIX,
};
