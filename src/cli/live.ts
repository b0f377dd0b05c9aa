import { UsageError } from '../errors.js';
import type { AnyRule } from '../rules/rule.js';
import type { ScanOptions } from './args.js';
import type { Io, ScanResult } from './main.js';

// Wired to the live AccountView (src/sources/aws) once it lands.
const scanLive = async (
  _options: ScanOptions,
  _rules: readonly AnyRule[],
  _params: Map<string, unknown>,
  _io: Io,
): Promise<ScanResult> => {
  throw new UsageError('--live is not available yet');
};

export { scanLive };
