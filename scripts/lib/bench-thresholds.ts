/**
 * Regression thresholds of `npm run bench:quick`, run in CI. Recorded: the lowest of each on the
 * tree with policy analyser v2, 2 cores at load average 12, 2026-11-29; the engine and CLI scan
 * figures again after the shape cache's identifier renaming and text templates (load 1.5), and after
 * the template hit path work (load 1.4; at these sizes the first analysis of each shape dominates,
 * so they moved little). Each
 * max sits two to three times above, so load does not trip it, and below what a quadratic join
 * (growth ×4), a lost shape cache (the scan of 500 buckets ×5 or more) or the AWS SDK or a
 * TypeScript loader at start-up (×3 or more) produces. At these sizes each policy shape is
 * analysed once, which dominates; RSS per byte is mostly node's own baseline. These guard today's
 * engine, not the targets: lower them with the engine's gains.
 */
interface QuickFigures {
  /** Mixed synthetic account, 600 items: engine / JSON.parse in one process. */
  engineMixed: number;
  /**
   * Buckets-only engine CPU time per evaluation at 1,600 buckets over the same at 400, interleaved,
   * least disturbed round of each: 1 when linear, 4 when quadratic.
   */
  growth: number;
  /** CLI scan of 500 distinct bucket policies / a process that only JSON.parses the file. */
  cliBuckets: number;
  /** Peak RSS of that CLI scan / file size (node's own ~40 MB dominates at this size). */
  cliRssPerByte: number;
  /** `vpce-guard rules` / `node -e ''`. */
  cliStart: number;
  /** require() of the packaged s3-bucket-policy-vpce-only bundle (SDK in it) / `node -e ''`. */
  handlerLoad: number;
}

const QUICK_THRESHOLDS: Record<
  keyof QuickFigures,
  { what: string; recorded: number; max: number }
> = {
  engineMixed: { what: 'mixed 600 items: engine / JSON.parse', recorded: 26, max: 80 },
  growth: {
    what: 'buckets 1,600 vs 400: growth of engine CPU per evaluation',
    recorded: 1.03,
    max: 2,
  },
  cliBuckets: { what: 'CLI scan of 500 buckets / JSON.parse process', recorded: 5.1, max: 14 },
  cliRssPerByte: { what: 'same, peak RSS / file size', recorded: 96, max: 190 },
  cliStart: { what: "`vpce-guard rules` / `node -e ''`", recorded: 1.37, max: 2 },
  // Recorded on the tree-shaken bundle (lambda-bundle.ts) at load average 7-9; without it, 4-6.
  handlerLoad: { what: 'Lambda bundle require() / bare node', recorded: 1.7, max: 3.5 },
};

export type { QuickFigures };
export { QUICK_THRESHOLDS };
