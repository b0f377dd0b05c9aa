import { InvalidParametersError, SnapshotError, UsageError, VpceGuardError } from '../errors.js';
import type { Evaluation } from '../model/compliance.js';
import type { ApiCallTally } from '../sources/aws/counter.js';
import { type Command, parseCommandLine, usage } from './args.js';

interface Io {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

interface ScanResult {
  evaluations: Evaluation[];
  header: string;
  skippedItems: number;
  /** Printed on stderr, whatever the output format. */
  warnings: string[];
  /** Unreadable items without a resource type or id: nothing can be reported for them. */
  unattributed?: number;
  apiCalls?: ApiCallTally | undefined;
  /** AWS calls retried during a live scan. */
  retries?: number | undefined;
}

const run = async (command: Command, io: Io): Promise<number> => {
  // Each command imports what it needs when it runs: start-up pays only for the command used
  // (the catalogue for `rules`, nothing for --help/--version, the AWS SDK only for --live).
  switch (command.command) {
    case 'help':
      io.stdout.write(`${await usage()}\n`);
      return 0;
    case 'version':
      io.stdout.write('vpce-guard 0.1.0\n');
      return 0;
    case 'rules': {
      const [{ RULES }, { renderRules, rulesAsJson }] = await Promise.all([
        import('../rules/index.js'),
        import('./render.js'),
      ]);
      io.stdout.write(
        command.format === 'json'
          ? `${JSON.stringify(rulesAsJson(RULES), null, 2)}\n`
          : renderRules(RULES),
      );
      return 0;
    }
    case 'scan':
      return (await import('./scan-command.js')).runScan(command, io);
    case 'report':
      return (await import('./report.js')).runReport(command, io);
    case 'fix': {
      const [{ runFix }, { loadParams }, { RULES }] = await Promise.all([
        import('./fix.js'),
        import('./scan-command.js'),
        import('../rules/index.js'),
      ]);
      return runFix(command, io, (path) => loadParams(path, RULES));
    }
  }
};

/**
 * The CLI entry point; returns the exit code. Input and usage problems print one line on stderr
 * (no stack trace) and return 2.
 */
const main = async (argv: readonly string[], io: Io = defaultIo()): Promise<number> => {
  try {
    return await run(await parseCommandLine(argv), io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`vpce-guard: ${error.message}\n\n${await usage()}\n`);
      return 2;
    }
    if (error instanceof SnapshotError || error instanceof InvalidParametersError) {
      io.stderr.write(`vpce-guard: ${error.message}\n`);
      return 2;
    }
    if (error instanceof VpceGuardError) {
      io.stderr.write(`vpce-guard: ${error.message}\n`);
      return 2;
    }
    io.stderr.write(`vpce-guard: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    return 2;
  }
};

export type { Io, ScanResult };
export { main };
