// Tests never talk to a real AWS account: fixed region and dummy credentials for every SDK client.
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'testing';
process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_DEV ??= 'false';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// moto_server's first call per service can take well over the 15 s production request timeout on
// a loaded machine; tests that exercise timeouts pass their own.
process.env.VPCE_GUARD_REQUEST_TIMEOUT_MS ??= '120000';
