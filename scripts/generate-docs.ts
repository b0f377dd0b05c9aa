import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderRulesDoc } from '../src/docs/rules-doc.js';
import { RULES } from '../src/rules/index.js';

const target = fileURLToPath(new URL('../docs/rules.md', import.meta.url));
const text = renderRulesDoc(RULES);
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== text) {
    console.error('docs/rules.md is out of date: run npm run docs');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
