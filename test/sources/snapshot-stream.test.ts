import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnapshotError } from '../../src/errors.js';
import { loadSnapshot, SnapshotView, snapshotItemsOf } from '../../src/sources/snapshot.js';
import {
  type ItemList,
  parseItemText,
  SnapshotScanner,
  SnapshotSyntaxError,
} from '../../src/sources/snapshot-scanner.js';
import { readFixture } from '../helpers/fixtures.js';

const DEMO = new URL('../../examples/demo-snapshot.json', import.meta.url).pathname;

/** Feeds `text` in chunks of `size` bytes; returns each list's parsed items and the skeleton. */
const scan = (text: string | Buffer, size: number, maxItemBytes?: number) => {
  const lists = new Map<ItemList, unknown[]>();
  const scanner = new SnapshotScanner(
    {
      list: (list) => {
        lists.set(list, []);
      },
      item: (list, index, itemText, offset) => {
        lists.get(list)?.push(parseItemText(itemText, index, offset));
      },
    },
    maxItemBytes,
  );
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  for (let at = 0; at < bytes.length; at += size) {
    // A fresh buffer per chunk, as the file reader hands them over.
    scanner.feed(Buffer.from(bytes.subarray(at, at + size)));
  }
  return { lists, skeleton: scanner.parseSkeleton(scanner.end()) };
};

const CHUNK_SIZES = [1, 2, 3, 5, 7, 64, 1 << 20];

let dir: string;
const write = (name: string, content: string | Buffer): string => {
  dir ??= mkdtempSync(join(tmpdir(), 'vpce-guard-stream-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const expectSyntaxError = (text: string, size: number, pattern: RegExp) => {
  let caught: unknown;
  try {
    scan(text, size);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SnapshotSyntaxError);
  expect((caught as Error).message).toMatch(pattern);
};

describe('SnapshotScanner: finds the items of every document shape, whatever the chunking', () => {
  const item = (id: string) => ({
    resourceType: 'AWS::S3::Bucket',
    resourceId: id,
    // Quotes, backslashes, brackets and commas inside strings must not end an item.
    supplementaryConfiguration: {
      BucketPolicy: { policyText: `{"Statement":[{"Sid":"a\\\\\\"],{}"}]} ${id}` },
    },
    tags: { 'ü-€-𝄞': 'x"y\\', '[': ']' },
  });
  const items = [item('b1'), item('b2\\'), item('"b3"')];
  const shapes: [string, string, ItemList][] = [
    [
      'a Config snapshot',
      JSON.stringify({ fileVersion: '1.0', configurationItems: items }),
      'configurationItems',
    ],
    [
      'a pretty-printed snapshot',
      JSON.stringify({ fileVersion: '1.0', configurationItems: items }, null, 2),
      'configurationItems',
    ],
    [
      'batch-get-resource-config',
      JSON.stringify({ baseConfigurationItems: items, unprocessedResourceKeys: [] }),
      'baseConfigurationItems',
    ],
    [
      'select-resource-config (items as strings)',
      JSON.stringify({ Results: items.map((i) => JSON.stringify(i)), QueryInfo: { a: [1] } }),
      'Results',
    ],
    ['a bare array', JSON.stringify(items), 'document'],
    [
      'a member name written with escapes',
      `{"configuration\\u0049tems": ${JSON.stringify(items)}}`,
      'configurationItems',
    ],
  ];

  for (const [what, text, list] of shapes) {
    it(`reads ${what}`, () => {
      const expected = (() => {
        const document = JSON.parse(text);
        return list === 'document' ? document : document[list];
      })();
      for (const size of CHUNK_SIZES) {
        const { lists, skeleton } = scan(text, size);
        expect(lists.get(list)).toEqual(expected);
        expect(snapshotItemsOf(skeleton, 'x')).toEqual([]);
      }
    });
  }

  it('accepts a UTF-8 byte order mark and empty lists', () => {
    for (const size of CHUNK_SIZES) {
      expect(
        scan('\uFEFF{"configurationItems": [ ] }', size).lists.get('configurationItems'),
      ).toEqual([]);
    }
  });

  it('keeps the last of repeated members, as JSON.parse does', () => {
    const text = '{"configurationItems":[1,2],"fileVersion":"1.0","configurationItems":[3]}';

    const { lists, skeleton } = scan(text, 4);

    expect(lists.get('configurationItems')).toEqual([3]);
    expect(skeleton).toEqual({ configurationItems: [], fileVersion: '1.0' });
  });

  it('agrees with JSON.parse on generated documents and chunkings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 6 }),
        fc.jsonValue(),
        fc.constantFrom(undefined, 1, '\t'),
        fc.integer({ min: 1, max: 40 }),
        (listItems, other, indent, size) => {
          const text = JSON.stringify(
            { other, configurationItems: listItems, more: other },
            null,
            indent,
          );
          const { lists } = scan(text, size);
          expect(lists.get('configurationItems')).toEqual(JSON.parse(text).configurationItems);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('SnapshotScanner: malformed input fails with the item and byte, never the text', () => {
  it.each([
    [
      'an item that is not JSON',
      '{"configurationItems":[{"a":1},{"a":}]}',
      /item 1 \(from byte 31\) is not valid JSON/,
    ],
    ['a stray comma', '{"configurationItems":[{"a":1},,{"a":2}]}', /item 1 is empty/],
    ['a trailing comma', '{"configurationItems":[{"a":1},]}', /item 1 is empty/],
    ['a brace closing the list', '{"configurationItems":[{"a":1}}', /unexpected "}" after item 0/],
    ['a file cut inside an item', '{"configurationItems":[{"a":1},{"a":"x', /ends inside item 1/],
    ['text after the document', '{"configurationItems":[]} {"x":1}', /error at byte 26/],
    ['an unopened bracket', ']', /unexpected "]"/],
    ['an empty file', '', /cut short or empty/],
  ])('%s', (_what, text, pattern) => {
    for (const size of [1, 3, 1 << 20]) expectSyntaxError(text, size, pattern);
  });

  it('refuses an item larger than the limit before holding all of it', () => {
    const text = JSON.stringify({ configurationItems: [{ a: 'x'.repeat(500) }] });

    expectSyntaxErrorWithLimit(text, /item 0 is larger than 100 bytes/);
  });

  const expectSyntaxErrorWithLimit = (text: string, pattern: RegExp) => {
    expect(() => scan(text, 16, 100)).toThrow(pattern);
  };
});

describe('loadSnapshot: a streamed file reads as the parsed document would', () => {
  const resourcesOf = (view: SnapshotView) =>
    view
      .resources()
      .map((resource) => JSON.stringify(resource))
      .sort();

  it('builds the same view of the demo account as the parsed document', async () => {
    const parsed = SnapshotView.fromItems(
      snapshotItemsOf(JSON.parse(readFileSync(DEMO, 'utf8')), DEMO),
    );

    const streamed = await loadSnapshot(DEMO);

    expect(resourcesOf(streamed)).toEqual(resourcesOf(parsed));
    expect(streamed.items).toEqual(parsed.items);
    expect(streamed.skipped).toEqual(parsed.skipped);
  });

  it('reads a file larger than one read, items spanning reads', async () => {
    const item = readFixture('items/bucket-event-format.json') as Record<string, unknown>;
    const items = Array.from({ length: 1500 }, (_, index) => ({
      ...item,
      resourceId: `bucket-${index}`,
      padding: 'p'.repeat(1000 + (index % 7)),
    }));
    const path = write('large.json', JSON.stringify({ configurationItems: items }));

    const view = await loadSnapshot(path);

    expect(view.items.map((i) => i.resourceId)).toEqual(items.map((i) => i.resourceId));
  });

  it('takes the first list a document has, like the parsed document', async () => {
    const apiItem = readFixture('items/bucket-api-format.json');
    const path = write(
      'batch.json',
      JSON.stringify({ configurationItems: 'none', baseConfigurationItems: [apiItem] }),
    );

    const view = await loadSnapshot(path);

    expect(view.items).toEqual(SnapshotView.fromItems([apiItem]).items);
  });

  it('reads a gzip-compressed snapshot (as AWS Config delivers it to S3) as the plain file', async () => {
    const path = write('snapshot.json.gz', gzipSync(readFileSync(DEMO)));

    const [plain, compressed] = await Promise.all([loadSnapshot(DEMO), loadSnapshot(path)]);

    expect(resourcesOf(compressed)).toEqual(resourcesOf(plain));
    expect(compressed.items).toEqual(plain.items);
  });

  it('reads a compressed file larger than one read, items spanning reads', async () => {
    const item = readFixture('items/bucket-event-format.json') as Record<string, unknown>;
    // Random padding keeps the compressed file above the 1 MiB read size.
    const items = Array.from({ length: 1200 }, (_, index) => ({
      ...item,
      resourceId: `bucket-${index}`,
      padding: randomBytes(1200).toString('base64'),
    }));
    const compressed = gzipSync(JSON.stringify({ configurationItems: items }));
    expect(compressed.length).toBeGreaterThan(1024 * 1024);
    const path = write('large.json.gz', compressed);

    const view = await loadSnapshot(path);

    expect(view.items.map((i) => i.resourceId)).toEqual(items.map((i) => i.resourceId));
  });

  it('names a corrupt or cut-short gzip file, and a malformed item inside one', async () => {
    const whole = gzipSync(readFileSync(DEMO));
    const cut = write('cut.json.gz', whole.subarray(0, whole.length >> 1));
    const garbage = write('garbage.json.gz', Buffer.from([0x1f, 0x8b, 0x00, 0x01, 0x02, 0x03]));
    const badItem = write(
      'bad-item.json.gz',
      gzipSync('{"configurationItems":[{"a":1},\n{"secret":abc123}]}'),
    );

    await expect(loadSnapshot(cut)).rejects.toThrow(
      /cut\.json\.gz is gzip-compressed but cannot be decompressed: unexpected end of file/,
    );
    await expect(loadSnapshot(garbage)).rejects.toThrow(/garbage\.json\.gz is gzip-compressed/);
    const failure = loadSnapshot(badItem);
    await expect(failure).rejects.toThrow(/is not valid JSON: item 1 \(from byte 31\)/);
    await expect(failure).rejects.not.toThrow(/abc123/);
  });

  it('keeps what batch-get-resource-config left unprocessed as skipped resources', async () => {
    const apiItem = readFixture('items/bucket-api-format.json');
    const path = write(
      'batch-unprocessed.json',
      JSON.stringify({
        baseConfigurationItems: [apiItem],
        unprocessedResourceKeys: [{ resourceType: 'AWS::S3::Bucket', resourceId: 'missed-bucket' }],
      }),
    );

    const view = await loadSnapshot(path);

    expect(view.items).toHaveLength(1);
    expect(view.skipped).toEqual([
      {
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'missed-bucket',
        reason: expect.stringContaining('unprocessedResourceKeys'),
      },
    ]);
  });

  it('refuses one page of a paged answer: the other pages cannot be told', async () => {
    const path = write(
      'one-page.json',
      JSON.stringify({ Results: [], QueryInfo: {}, NextToken: 'eyJ0b2tlbiI6MX0=' }),
    );

    await expect(loadSnapshot(path)).rejects.toThrow(
      /one-page\.json holds one page of a paged answer \(it has a NextToken\)/,
    );
  });

  it('names the file and the item of a malformed item without echoing it', async () => {
    const path = write('bad-item.json', '{"configurationItems":[{"a":1},\n{"secret":abc123}]}');

    const failure = loadSnapshot(path);

    await expect(failure).rejects.toThrow(SnapshotError);
    await expect(failure).rejects.toThrow(
      /bad-item\.json is not valid JSON: item 1 \(from byte 31\)/,
    );
    await expect(failure).rejects.not.toThrow(/abc123/);
  });
});
