import { expect } from 'vitest';
import { type ErrorCode, PoisonRecordError } from '../../../lambda/errors.js';

/** Runs `act` and returns what it threw; fails the test when it does not throw. */
export const captureError = (act: () => unknown): unknown => {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, but it returned');
};

/** Awaits `act` and returns its rejection reason; fails the test when it resolves. */
export const captureRejection = async (act: () => Promise<unknown>): Promise<unknown> => {
  try {
    await act();
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
};

/** Asserts a typed poison error with the given stable code. */
export const expectPoison = (error: unknown, code: ErrorCode): void => {
  expect(error).toBeInstanceOf(PoisonRecordError);
  expect((error as PoisonRecordError).code).toBe(code);
};
