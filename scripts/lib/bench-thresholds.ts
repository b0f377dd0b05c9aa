/**
 * Regression thresholds of `npm run bench:quick`, run in CI. Each sits well above the figure
 * recorded when it was set, so machine load does not trip it, and well below what a quadratic join
 * or a cache lost on the hot path would produce (recorded: the lowest of each, 2 cores under heavy shared load,
 * 2026-11-29). They guard today's engine, not the targets: lower them
 * (and the recorded figures) when the engine gets faster.
 */
interface QuickFigures {
  /** Mixed synthetic account, 4k items: engine / JSON.parse in one process. */
  engineMixed: number;
  /** Buckets-only engine/parse ratio at 6k over the same at 1.5k: 1 when linear, 4 when quadratic. */
  growth: number;
  /** CLI scan of 4k distinct bucket policies / a process that only JSON.parses the file. */
  cliBuckets: number;
  /** Peak RSS of that CLI scan / file size (node's own ~40 MB dominates at this size). */
  cliRssPerByte: number;
  /** `vpce-guard rules` / `node -e ''`. */
  cliStart: number;
  /** require() of the s3-bucket-policy-vpce-only Lambda bundle / `node -e ''`. */
  handlerLoad: number;
}

const QUICK_THRESHOLDS: Record<
  keyof QuickFigures,
  { what: string; recorded: number; max: number }
> = {
  engineMixed: { what: 'mixed 4k items: engine / JSON.parse', recorded: 13.1, max: 26 },
  growth: { what: 'buckets 6k vs 1.5k: growth of engine / JSON.parse', recorded: 0.8, max: 2.5 },
  cliBuckets: { what: 'CLI scan of 4k buckets / JSON.parse process', recorded: 12.2, max: 25 },
  cliRssPerByte: { what: 'same, peak RSS / file size', recorded: 20.8, max: 40 },
  cliStart: { what: "`vpce-guard rules` / `node -e ''`", recorded: 1.04, max: 1.6 },
  handlerLoad: { what: 'Lambda bundle require() / bare node', recorded: 3.7, max: 6 },
};

export type { QuickFigures };
export { QUICK_THRESHOLDS };
