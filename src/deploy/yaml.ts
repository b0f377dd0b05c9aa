/**
 * A small YAML writer for the generated infra/ templates. They hold only plain JSON data (long-form
 * intrinsics, no tags), so a full YAML library is not needed; anything not provably plain is
 * written as a double-quoted JSON string, which is valid YAML.
 */

const RESERVED = /^(?:true|false|yes|no|on|off|null|y|n|~)$/i;
const PLAIN = /^[A-Za-z_/$][A-Za-z0-9_./:@$*-]*(?: [A-Za-z0-9_./:@$*(),-]+)*$/;

const scalar = (value: unknown): string => {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    // YAML 1.1 parsers (PyYAML, cfn-lint) read `1e-7` as a string: a float needs its dot.
    const text = String(value);
    return /e/.test(text) && !text.includes('.') ? text.replace('e', '.0e') : text;
  }
  if (typeof value === 'string') {
    if (PLAIN.test(value) && !RESERVED.test(value) && !value.includes(': ')) return value;
    // Single quotes when they avoid escaping double quotes: the style Biome's formatter keeps.
    const onlyQuotesNeedEscaping = JSON.stringify(value) === `"${value.replaceAll('"', '\\"')}"`;
    const single = value.includes('"') && !value.includes("'") && onlyQuotesNeedEscaping;
    return single ? `'${value}'` : JSON.stringify(value);
  }
  throw new TypeError(`Cannot write ${typeof value} as YAML`);
};

const isContainer = (value: unknown): value is object =>
  value !== null && typeof value === 'object' && Object.keys(value).length > 0;

const emptyContainer = (value: unknown): string | undefined =>
  Array.isArray(value) && value.length === 0
    ? '[]'
    : value !== null && typeof value === 'object' && Object.keys(value).length === 0
      ? '{}'
      : undefined;

const lines = (value: unknown, indent: string): string[] => {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (!isContainer(item)) return [`${indent}- ${emptyContainer(item) ?? scalar(item)}`];
      const [first, ...rest] = lines(item, `${indent}  `);
      return [`${indent}- ${(first ?? '').trimStart()}`, ...rest];
    });
  }
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => {
    const head = `${indent}${scalar(key)}:`;
    if (!isContainer(item)) return [`${head} ${emptyContainer(item) ?? scalar(item)}`];
    return [head, ...lines(item, `${indent}  `)];
  });
};

/** Serialises plain data as block-style YAML, keys in insertion order, ending with a newline. */
const toYaml = (value: object, header?: string): string => {
  const comment = header
    ? header
        .split('\n')
        .map((line) => (line.length > 0 ? `# ${line}` : '#'))
        .join('\n') + '\n'
    : '';
  const body = emptyContainer(value) ?? lines(value, '').join('\n');
  return `${comment}${body}\n`;
};

export { toYaml };
