/**
 * Benchmarks measured side by side in one run, reported as ratios (see BENCHMARKS.md):
 *  1. engine time (index + every rule over every resource) vs JSON.parse of the same snapshot text.
 */
import { performance } from 'node:perf_hooks';
import { RULES } from '../src/rules/index.js';
import { parseParams } from '../src/rules/params.js';
import { scan } from '../src/scan/scan.js';
import { SnapshotView } from '../src/sources/snapshot.js';
import { syntheticAccount } from './lib/synthetic.js';

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const params = new Map(RULES.map((rule) => [rule.id, parseParams(rule.id, rule.parameters, {})]));

const benchEngine = async (vpcs: number, subnets: number, buckets: number) => {
  const parseTimes: number[] = [];
  const engineTimes: number[] = [];
  let evaluations = 0;
  let items = 0;
  let bytes = 0;
  for (let run = 0; run < 7; run++) {
    // A fresh account text per run: parsed-policy and pattern caches help within a scan (two rules
    // read each bucket policy), never across the measured runs.
    const text = JSON.stringify(
      syntheticAccount({ vpcs, privateSubnetsPerVpc: subnets, buckets, runId: run }),
    );
    const t0 = performance.now();
    const document = JSON.parse(text);
    const t1 = performance.now();
    const view = SnapshotView.fromItems(document.configurationItems);
    const result = await scan({ rules: RULES, view, params, concurrency: 1 });
    const t2 = performance.now();
    parseTimes.push(t1 - t0);
    engineTimes.push(t2 - t1);
    evaluations = result.length;
    items = document.configurationItems.length;
    bytes = text.length;
  }
  const parse = median(parseTimes);
  const engine = median(engineTimes);
  return { items, bytes, evaluations, parseMs: parse, engineMs: engine, ratio: engine / parse };
};

const rows = [];
for (const [vpcs, subnets, buckets] of [
  [20, 6, 100],
  [200, 6, 1000],
  [1000, 6, 5000],
] as const) {
  rows.push(await benchEngine(vpcs, subnets, buckets));
}
console.log(
  '| items | snapshot bytes | evaluations | JSON.parse ms | engine ms | engine / parse |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  console.log(
    `| ${row.items} | ${row.bytes} | ${row.evaluations} | ${row.parseMs.toFixed(1)} | ${row.engineMs.toFixed(1)} | ${row.ratio.toFixed(2)}× |`,
  );
}
