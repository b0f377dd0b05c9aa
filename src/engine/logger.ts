/**
 * The slice of a logger the engine uses. Powertools' `Logger` satisfies it; tests pass a recorder.
 * Attributes become top-level keys of the structured JSON log line.
 */
interface EngineLogger {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export type { EngineLogger };
