import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCommandLine, usage } from '../../src/cli/args.js';
import { main } from '../../src/cli/main.js';
import { capture } from './capture.js';

/** What a first-time user meets: the README's commands on the shipped demo account. */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SNAPSHOT = join(ROOT, 'examples/demo-snapshot.json');
const PARAMS = join(ROOT, 'examples/demo-params.json');
const EXEMPT_BUCKET = 'marketing-site-assets-111122223333';
const COMPLIANT_BUCKET = 'payments-cardholder-data-111122223333';

const run = async (argv: string[]) => {
  const out = capture();
  const code = await main(argv, out.io);
  return { code, stdout: out.out(), stderr: out.err() };
};

const BOOLEAN_FLAGS = new Set(['--live', '--exit-zero']);
const LIVE_FLAGS = new Set(['--live', '--region', '--profile', '--endpoint-url']);
const VALUES: Record<string, string> = { '--format': 'json', '--endpoint': 'vpce-0a1b2c3d' };

/** A command line that parses, so that only `flag` can make it fail. */
const baseOf = (command: string, flag: string): string[] => {
  const input =
    flag === '--snapshot' || flag === '--live'
      ? []
      : LIVE_FLAGS.has(flag)
        ? ['--live']
        : ['--snapshot', 's.json'];
  if (command === 'scan') return ['scan', ...input];
  if (command === 'report')
    return ['report', ...(flag === '--from-scan' ? [] : ['--from-scan', 's'])];
  if (command === 'fix')
    return [
      'fix',
      ...input,
      ...(flag === '--bucket' || flag === '--endpoint' ? [] : ['--bucket', 'b']),
    ];
  return [command];
};

/** Whether `command` takes `flag`. */
const accepts = async (command: string, flag: string): Promise<boolean> => {
  const argv = [
    ...baseOf(command, flag),
    flag,
    ...(BOOLEAN_FLAGS.has(flag) ? [] : [VALUES[flag] ?? 'x']),
  ];
  try {
    await parseCommandLine(argv);
    return true;
  } catch (error) {
    if (/does not apply|only apply/.test((error as Error).message)) return false;
    throw error;
  }
};

/** `command → flags` of each `vpce-guard <command> …` line (continuation lines included). */
const flagsByCommand = (text: string): Map<string, Set<string>> => {
  const found = new Map<string, Set<string>>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const start = /vpce-guard (scan|report|fix|rules)\b/.exec(line);
    if (start) current = start[1];
    else if (!/^\s+\[|^\s+\(/.test(line)) current = undefined;
    if (current === undefined) continue;
    const flags = found.get(current) ?? new Set<string>();
    for (const [flag] of line.matchAll(/--[a-z][a-z-]*/g)) flags.add(flag);
    found.set(current, flags);
  }
  return found;
};

describe('options that do not apply to a command', () => {
  it('are refused with exit 2 instead of silently ignored', async () => {
    // Act
    const scanOneBucket = await run(['scan', '--snapshot', SNAPSHOT, '--bucket', EXEMPT_BUCKET]);
    const rulesOfSnapshot = await run(['rules', '--snapshot', SNAPSHOT]);
    const fixAsJson = await run([
      'fix',
      '--snapshot',
      SNAPSHOT,
      '--bucket',
      'b',
      '--format',
      'json',
    ]);
    const reportBucket = await run(['report', '--from-scan', 'scan.json', '--bucket', 'b']);

    // Assess
    expect(scanOneBucket.code).toBe(2);
    expect(scanOneBucket.stdout).toBe('');
    expect(scanOneBucket.stderr).toContain('--bucket does not apply to scan');
    expect(rulesOfSnapshot.code).toBe(2);
    expect(rulesOfSnapshot.stderr).toContain('--snapshot does not apply to rules');
    expect(fixAsJson.code).toBe(2);
    expect(fixAsJson.stderr).toContain('--format does not apply to fix');
    expect(reportBucket.code).toBe(2);
    expect(reportBucket.stderr).toContain('--bucket does not apply to report');
  });

  it('leaves every option the usage text shows accepted by its command', async () => {
    // Prepare
    const shown = flagsByCommand(await usage());

    // Act
    const refused: string[] = [];
    for (const [command, flags] of shown)
      for (const flag of flags)
        if (!(await accepts(command, flag))) refused.push(`${command} ${flag}`);

    // Assess
    expect([...shown.keys()].sort()).toEqual(['fix', 'report', 'rules', 'scan']);
    expect(refused).toEqual([]);
    expect(await accepts('scan', '--exit-zero')).toBe(true);
    expect(await accepts('scan', '--bucket')).toBe(false);
    expect(await accepts('rules', '--snapshot')).toBe(false);
    expect(shown.get('scan')?.has('--exit-zero')).toBe(true);
  });

  it("leaves every option in the README's CLI section accepted and shown in --help", async () => {
    // Prepare
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The CLI'), readme.indexOf('## Deploy'));
    const [, block = ''] = section.split('```');
    const documented = flagsByCommand(block);
    const helped = flagsByCommand(await usage());

    // Act
    const problems: string[] = [];
    for (const [command, flags] of documented)
      for (const flag of flags) {
        if (!(await accepts(command, flag))) problems.push(`${command} ${flag} refused`);
        if (!helped.get(command)?.has(flag)) problems.push(`${command} ${flag} not in --help`);
      }

    // Assess
    expect(documented.size).toBe(4);
    expect(problems).toEqual([]);
  });
});

describe('fix --bucket on a bucket that needs nothing', () => {
  it('says an exempt bucket is NOT_APPLICABLE, not COMPLIANT, and prints no empty policy', async () => {
    // Act
    const { code, stdout, stderr } = await run([
      'fix',
      '--snapshot',
      SNAPSHOT,
      '--params',
      PARAMS,
      '--bucket',
      EXEMPT_BUCKET,
    ]);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).not.toContain('COMPLIANT for both');
    expect(stderr).toContain('s3-bucket-policy-vpce-only NOT_APPLICABLE');
    expect(stderr).toContain('exemptBuckets');
    expect(stderr).toContain('has no bucket policy');
  });

  it('prints a compliant bucket policy unchanged and says both rules pass', async () => {
    // Prepare
    const snapshot = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as {
      configurationItems: {
        resourceId: string;
        supplementaryConfiguration: { BucketPolicy: { policyText: string } };
      }[];
    };
    const item = snapshot.configurationItems.find((entry) => entry.resourceId === COMPLIANT_BUCKET);
    const policy = JSON.parse(item?.supplementaryConfiguration.BucketPolicy.policyText ?? 'null');

    // Act
    const { code, stdout, stderr } = await run([
      'fix',
      '--snapshot',
      SNAPSHOT,
      '--params',
      PARAMS,
      '--bucket',
      COMPLIANT_BUCKET,
    ]);

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(policy);
    expect(stderr).toContain('s3-bucket-policy-vpce-only COMPLIANT');
    expect(stderr).toContain('s3-bucket-policy-tls-only COMPLIANT');
  });
});

describe('report --from-scan given a compliance report', () => {
  it('names the mix-up instead of a schema version mismatch', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'vpce-guard-ux-'));
    const scanJson = join(dir, 'scan.json');
    const reportJson = join(dir, 'report.json');
    await run(['scan', '--snapshot', SNAPSHOT, '--format', 'json', '--out', scanJson]);
    await run(['report', '--from-scan', scanJson, '--format', 'json', '--out', reportJson]);

    // Act
    const { code, stdout, stderr } = await run(['report', '--from-scan', reportJson]);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('is a compliance report, not a scan');
    expect(stderr).toContain('--previous');
    expect(stderr).not.toContain('schema version');
  });
});

describe('unknown rule ids', () => {
  it('point a Config rule name or a typo at the rule id meant', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'vpce-guard-ux-'));
    const params = join(dir, 'params.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      params,
      JSON.stringify({ 'vpce-guard-s3-bucket-policy-tls-only': { exemptBuckets: 'b' } }),
    );

    // Act
    const configName = await run(['scan', '--snapshot', SNAPSHOT, '--params', params]);
    const typo = await run(['scan', '--snapshot', SNAPSHOT, '--rules', 'vpc-required-endpoint']);
    const unrelated = await run(['scan', '--snapshot', SNAPSHOT, '--rules', 'nothing-like-it']);

    // Assess
    expect(configName.code).toBe(2);
    expect(configName.stderr).toContain(
      'vpce-guard-s3-bucket-policy-tls-only (did you mean s3-bucket-policy-tls-only?)',
    );
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('vpc-required-endpoint (did you mean vpc-required-endpoints?)');
    expect(unrelated.stderr).toContain('unknown rule id(s): nothing-like-it. Known:');
  });
});

describe('README deploy steps', () => {
  it('package for the stage and region they then deploy (deploy refuses any other package)', () => {
    // Prepare
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const target = (script: string) =>
      [...readme.matchAll(new RegExp(`npm run ${script}( -- [^\`]*)?\``, 'g'))].map(
        ([, args = '']) => ({
          stage: /--stage (\S+)/.exec(args)?.[1] ?? 'dev',
          region: /--region (\S+)/.exec(args)?.[1] ?? 'us-east-1',
        }),
      );

    // Act
    const packaged = target('package');
    const deployed = target('deploy');

    // Assess
    expect(deployed.length).toBeGreaterThan(0);
    for (const deploy of deployed) expect(packaged).toContainEqual(deploy);
  });
});

describe('input errors that are not command-line mistakes', () => {
  it('print one message that names the input, without the usage text', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'vpce-guard-ux-'));
    const { writeFile } = await import('node:fs/promises');
    const badParams = join(dir, 'params.json');
    await writeFile(badParams, '{"vpc-required-endpoints": {');

    // Act
    const unknownBucket = await run([
      'fix',
      '--snapshot',
      SNAPSHOT,
      '--bucket',
      'payments-cardholder',
    ]);
    const params = await run(['scan', '--snapshot', SNAPSHOT, '--params', badParams]);
    const commandLine = await run(['fix', '--snapshot', SNAPSHOT]);

    // Assess
    expect(unknownBucket.code).toBe(2);
    expect(unknownBucket.stderr).toContain(
      `bucket payments-cardholder is not in snapshot ${SNAPSHOT}`,
    );
    expect(unknownBucket.stderr).toContain(COMPLIANT_BUCKET);
    expect(unknownBucket.stderr).not.toContain('Usage:');
    expect(params.code).toBe(2);
    expect(params.stderr).toContain(`--params file ${badParams} is not valid JSON`);
    expect(params.stderr).not.toContain('Usage:');
    expect(commandLine.code).toBe(2);
    expect(commandLine.stderr).toContain('Usage:');
  });
});

describe('rules', () => {
  it("shows each rule's PCI DSS and HIPAA citations, as the catalogue maps them", async () => {
    // Prepare
    const { RULES } = await import('../../src/rules/index.js');

    // Act
    const { code, stdout } = await run(['rules']);

    // Assess
    expect(code).toBe(0);
    const blocks = stdout.split('\n\n');
    for (const rule of RULES) {
      const block = blocks.find((text) => text.startsWith(`${rule.id} `)) ?? '';
      const maps = /maps to: (.*)/.exec(block)?.[1] ?? '';
      for (const ref of rule.frameworks) {
        const label = ref.framework === 'HIPAA' ? 'HIPAA' : 'PCI DSS 4.0';
        expect(maps).toContain(label);
        expect(maps).toContain(ref.strength === 'supporting' ? `${ref.id} (supporting)` : ref.id);
      }
    }
    expect(stdout).toContain('docs/rules.md');
  });
});

describe('fix --live without a region or credentials', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('says what to set, with exit 2 and no stack trace', async () => {
    // Prepare: no region, no credentials anywhere the SDK looks, no instance metadata.
    const empty = join(await mkdtemp(join(tmpdir(), 'vpce-guard-ux-')), 'none');
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID'])
      vi.stubEnv(name, undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    vi.stubEnv('AWS_SESSION_TOKEN', undefined);
    vi.stubEnv('AWS_CONFIG_FILE', empty);
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', empty);
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');

    // Act
    const noRegion = await run(['fix', '--live', '--bucket', COMPLIANT_BUCKET]);
    const noCredentials = await run([
      'fix',
      '--live',
      '--region',
      'eu-west-1',
      '--bucket',
      COMPLIANT_BUCKET,
    ]);
    const twoRegions = await run([
      'fix',
      '--live',
      '--region',
      'a',
      '--region',
      'b',
      '--bucket',
      'b',
    ]);

    // Assess
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toContain('no region: pass --region R or set AWS_REGION');
    expect(noRegion.stderr).not.toContain('unexpected error');
    expect(noCredentials.code).toBe(2);
    expect(noCredentials.stderr).toContain('no usable AWS credentials');
    expect(noCredentials.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(twoRegions.code).toBe(2);
    expect(twoRegions.stderr).toContain('fix reads one region');
  }, 60_000);
});

describe('the table', () => {
  it('says where the full reasons are when something fails, and only then', async () => {
    // Prepare: the demo's compliant bucket alone passes the TLS rule.
    const dir = await mkdtemp(join(tmpdir(), 'vpce-guard-ux-'));
    const { writeFile } = await import('node:fs/promises');
    const demo = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as {
      configurationItems: { resourceId: string }[];
    };
    const compliant = join(dir, 'compliant.json');
    await writeFile(
      compliant,
      JSON.stringify({
        fileVersion: '1.0',
        configurationItems: demo.configurationItems.filter(
          (item) => item.resourceId === COMPLIANT_BUCKET,
        ),
      }),
    );
    const hint = 'Full reasons and fixes: --format json (detail)';
    const tls = ['--rules', 's3-bucket-policy-tls-only'];

    // Act
    const failing = await run(['scan', '--snapshot', SNAPSHOT, ...tls]);
    const passing = await run(['scan', '--snapshot', compliant, ...tls]);

    // Assess
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain(hint);
    expect(passing.code).toBe(0);
    expect(passing.stdout).toContain('COMPLIANT');
    expect(passing.stdout).not.toContain(hint);
  });
});

describe('ARCHITECTURE.md', () => {
  it('names every folder of src/ in its layer table', async () => {
    // Prepare
    const { readdirSync } = await import('node:fs');
    const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
    const table = text.slice(text.indexOf('## Layers'), text.indexOf('## One place per fact'));

    // Act
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `src/${entry.name}/`);

    // Assess
    expect(folders.length).toBeGreaterThan(5);
    expect(folders.filter((folder) => !table.includes(`\`${folder}\``))).toEqual([]);
  });
});

describe('the table with --suppressions', () => {
  it('says how many failures are suppressed, since they no longer fail the exit code', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'vpce-guard-ux-'));
    const { writeFile } = await import('node:fs/promises');
    const suppressions = join(dir, 'suppressions.json');
    await writeFile(
      suppressions,
      JSON.stringify([
        { ruleId: '*', resource: '*', reason: 'accepted in RISK-1', expires: '2999-12-31' },
      ]),
    );
    const args = ['--rules', 'endpoint-service-acceptance-required'];

    // Act
    const plain = await run(['scan', '--snapshot', SNAPSHOT, ...args]);
    const suppressed = await run([
      'scan',
      '--snapshot',
      SNAPSHOT,
      ...args,
      '--suppressions',
      suppressions,
    ]);

    // Assess
    const failing = Number(/(\d+) non-compliant/.exec(plain.stdout)?.[1]);
    expect(plain.code).toBe(1);
    expect(failing).toBeGreaterThan(0);
    expect(suppressed.code).toBe(0);
    expect(suppressed.stdout).toContain(
      `${failing} non-compliant (${failing} suppressed, not counted for the exit code)`,
    );
    expect(plain.stdout).not.toContain('suppressed');
  });
});
