import type { EngineLogger, LogAttributes } from '../../src/engine/logger.js';

interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: LogAttributes;
}

/** An EngineLogger that keeps what it was told, so tests can assert on the log lines. */
class RecordingLogger implements EngineLogger {
  readonly entries: LogEntry[] = [];

  debug(message: string, ...attributes: LogAttributes[]): void {
    this.record('debug', message, attributes);
  }

  info(message: string, ...attributes: LogAttributes[]): void {
    this.record('info', message, attributes);
  }

  warn(message: string, ...attributes: LogAttributes[]): void {
    this.record('warn', message, attributes);
  }

  error(message: string, ...attributes: LogAttributes[]): void {
    this.record('error', message, attributes);
  }

  at(level: LogEntry['level']): LogEntry[] {
    return this.entries.filter((entry) => entry.level === level);
  }

  private record(level: LogEntry['level'], message: string, attributes: LogAttributes[]): void {
    this.entries.push({ level, message, attributes: Object.assign({}, ...attributes) });
  }
}

export type { LogEntry };
export { RecordingLogger };
