/**
 * `text` with each character `unsafe` accepts written as a `\uXXXX` escape: account data (resource
 * ids, annotations quoting policies) shown to people keeps its characters visible without letting
 * them act (terminal escape sequences, line breaks, bidirectional overrides).
 */
const escapeCharacters = (text: string, unsafe: (code: number) => boolean): string => {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    out += unsafe(code) ? `\\u${code.toString(16).padStart(4, '0')}` : char;
  }
  return out;
};

export { escapeCharacters };
