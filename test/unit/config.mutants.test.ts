import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lambda/config.js';
import {
  CallDeadlineError,
  DeadLetterWriteError,
  ErrorCode,
  WriteContentionError,
} from '../../lambda/errors.js';
import { captureError } from './support/errors.js';

// The exact words an operator reads when a setting is wrong, and the messages of the errors that fail an
// invocation: config.test.ts checks the variable named, `npm run mutate` found the rest unread.

const base = { DLQ_S3_BUCKET: 'letters' } as const;
const messageOf = (env: Record<string, string>): string =>
  (captureError(() => loadConfig({ ...base, ...env })) as Error).message;

describe('loadConfig messages', () => {
  it.each([
    [{ SOURCE_EPOCH: 'one' }, 'SOURCE_EPOCH: expected an integer, got "one"'],
    [{ WRITE_CONCURRENCY: '0' }, 'WRITE_CONCURRENCY: expected 1..256, got 0'],
    [{ REGISTRY_VALUES: 'Yes' }, 'REGISTRY_VALUES: expected true or false, got "yes"'],
    [{ STOCK_MODEL: 'fifo' }, 'STOCK_MODEL: expected one of orders, products, ledger, got "fifo"'],
    [{ DLQ_S3_BUCKET: ' ' }, 'DLQ_S3_BUCKET: is required (a dead letter must have a home)'],
    [
      { ORDER_ITEMS_TOPIC: 'dbserver1.public.products' },
      'ORDER_ITEMS_TOPIC: must differ from PRODUCTS_TOPIC',
    ],
    [{ LEDGER_TABLE: 'inventory-realtime' }, 'LEDGER_TABLE: must differ from DYNAMODB_TABLE'],
  ])('explains %o as "%s"', (env, expected) => {
    // Arrange (the table) / Act
    const message = messageOf(env);

    // Assert
    expect(message).toBe(expected);
  });
});

describe('messages of the errors that fail an invocation', () => {
  it('says how long was left when an AWS call missed the deadline', () => {
    // Arrange / Act
    const error = new CallDeadlineError(1_250);

    // Assert
    expect(error.code).toBe(ErrorCode.TIME_BUDGET_EXHAUSTED);
    expect(error.message).toBe(
      "An AWS call had not answered at the invocation's deadline (1250 ms left); the batch will be redelivered",
    );
  });

  it('names the dead letter it could not write and keeps the cause', () => {
    // Arrange
    const cause = new Error('AccessDenied');

    // Act
    const error = new DeadLetterWriteError('dbserver1.public.products/0/17.json', cause);

    // Assert
    expect(error.code).toBe(ErrorCode.DEAD_LETTER_WRITE_FAILED);
    expect(error.message).toBe('Could not write dead letter dbserver1.public.products/0/17.json');
    expect(error.cause).toBe(cause);
  });

  it('names the product whose conditional write kept losing races', () => {
    // Arrange / Act
    const error = new WriteContentionError(42);

    // Assert
    expect(error.code).toBe(ErrorCode.WRITE_CONTENTION);
    expect(error.message).toBe('Conditional write on product 42 kept losing races');
  });
});
