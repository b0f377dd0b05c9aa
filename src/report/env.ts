/** Environment of the report function (set by src/deploy/report-resources.ts). */
const REPORT_ENV = {
  /** The report bucket; the rule functions write evidence there too. */
  bucket: 'REPORT_BUCKET',
  /** Optional customer managed key for SSE-KMS; the bucket's default key otherwise. */
  kmsKey: 'REPORT_KMS_KEY_ARN',
  topic: 'REPORT_TOPIC_ARN',
  /** Config aggregator name: organization-wide when set, this account and region otherwise. */
  aggregator: 'REPORT_AGGREGATOR_NAME',
  /** `true` imports the findings into Security Hub (stage parameter, off by default). */
  securityHub: 'REPORT_SECURITY_HUB_IMPORT',
} as const;

export { REPORT_ENV };
