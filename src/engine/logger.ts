type LogAttributes = Record<string, unknown>;

/**
 * The slice of a logger the engine uses, shaped so Powertools' `Logger` satisfies it; tests pass a
 * recorder. Attributes become top-level keys of the structured JSON log line.
 */
interface EngineLogger {
  debug(message: string, ...attributes: LogAttributes[]): void;
  info(message: string, ...attributes: LogAttributes[]): void;
  warn(message: string, ...attributes: LogAttributes[]): void;
  error(message: string, ...attributes: LogAttributes[]): void;
}

export type { EngineLogger, LogAttributes };
