/**
 * Stable codes for everything that can go wrong with a record or the service.
 * Dead letters, logs and metrics carry these codes; callers branch on them, never on message text.
 */
export const ErrorCode = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  INVALID_EVENT: 'INVALID_EVENT',
  MALFORMED_RECORD: 'MALFORMED_RECORD',
  EMPTY_VALUE: 'EMPTY_VALUE',
  INVALID_BASE64: 'INVALID_BASE64',
  INVALID_UTF8: 'INVALID_UTF8',
  INVALID_JSON: 'INVALID_JSON',
  NOT_AN_OBJECT: 'NOT_AN_OBJECT',
  UNKNOWN_OP: 'UNKNOWN_OP',
  MISSING_FIELD: 'MISSING_FIELD',
  INVALID_FIELD: 'INVALID_FIELD',
  BAD_DECIMAL: 'BAD_DECIMAL',
  BAD_TIMESTAMP: 'BAD_TIMESTAMP',
  INVALID_QUANTITY: 'INVALID_QUANTITY',
  UNKNOWN_TOPIC: 'UNKNOWN_TOPIC',
  UNKNOWN_PRODUCT: 'UNKNOWN_PRODUCT',
  STORE_REJECTED: 'STORE_REJECTED',
  TIME_BUDGET_EXHAUSTED: 'TIME_BUDGET_EXHAUSTED',
  DEAD_LETTER_WRITE_FAILED: 'DEAD_LETTER_WRITE_FAILED',
  WRITE_CONTENTION: 'WRITE_CONTENTION',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Root of every error this service raises on purpose. */
export class InventoryError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The environment is unusable; the function must not start. */
export class ConfigError extends InventoryError {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(ErrorCode.CONFIG_INVALID, `${variable}: ${message}`);
    this.variable = variable;
  }
}

/** The invocation's event is not a Kafka event source mapping event at all: there is no record to keep. */
export class InvalidEventError extends InventoryError {
  constructor(message: string) {
    super(ErrorCode.INVALID_EVENT, message);
  }
}

/** A record that can never be applied as it is: it belongs in the dead-letter bucket. */
export class PoisonRecordError extends InventoryError {}

/** The invocation ran out of time; the mapping redelivers the batch and idempotency makes that safe. */
export class TimeBudgetExhaustedError extends InventoryError {
  constructor(remainingMs: number, marginMs: number) {
    super(
      ErrorCode.TIME_BUDGET_EXHAUSTED,
      `Stopped before new writes with ${remainingMs} ms left (safety margin ${marginMs} ms); the batch will be redelivered`,
    );
  }
}

/** An AWS call had not answered when the invocation's deadline came: fail now, before Lambda's own timeout. */
export class CallDeadlineError extends InventoryError {
  constructor(leftMs: number) {
    super(
      ErrorCode.TIME_BUDGET_EXHAUSTED,
      `An AWS call had not answered at the invocation's deadline (${leftMs} ms left); the batch will be redelivered`,
    );
  }
}

/** A dead letter could not be stored: the record must not be dropped, so the invocation fails. */
export class DeadLetterWriteError extends InventoryError {
  constructor(key: string, cause: unknown) {
    super(ErrorCode.DEAD_LETTER_WRITE_FAILED, `Could not write dead letter ${key}`, { cause });
  }
}

/** A conditional write kept losing races; failing the invocation lets the mapping retry the batch later. */
export class WriteContentionError extends InventoryError {
  constructor(productId: number, attempts?: number) {
    super(
      ErrorCode.WRITE_CONTENTION,
      `Conditional write on product ${productId} kept losing races${attempts === undefined ? '' : ` (${attempts} attempts)`}`,
    );
  }
}

export const isPoisonRecordError = (error: unknown): error is PoisonRecordError =>
  error instanceof PoisonRecordError;
