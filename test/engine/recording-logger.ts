import type { EngineLogger } from '../../src/engine/logger.js';

interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

/** An EngineLogger that keeps what it was told, so tests can assert on the log lines. */
class RecordingLogger implements EngineLogger {
  readonly entries: LogEntry[] = [];

  debug(message: string, attributes: Record<string, unknown> = {}): void {
    this.entries.push({ level: 'debug', message, attributes });
  }

  info(message: string, attributes: Record<string, unknown> = {}): void {
    this.entries.push({ level: 'info', message, attributes });
  }

  warn(message: string, attributes: Record<string, unknown> = {}): void {
    this.entries.push({ level: 'warn', message, attributes });
  }

  error(message: string, attributes: Record<string, unknown> = {}): void {
    this.entries.push({ level: 'error', message, attributes });
  }

  at(level: LogEntry['level']): LogEntry[] {
    return this.entries.filter((entry) => entry.level === level);
  }
}

export { RecordingLogger };
export type { LogEntry };
