import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';

/** mulberry32: a tiny seeded PRNG, so a failing fast-check case replays exactly. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export const FaultKind = {
  /** The call never reaches the service (throttled, connection reset before the request). */
  BEFORE: 'before',
  /** The service applied the call but the response was lost: the caller sees an error anyway. */
  AFTER: 'after',
} as const;

export interface FaultInjector {
  /** Probability that a call fails, in [0, 1]; 0 turns injection off. */
  rate: number;
  readonly injected: { before: number; after: number };
}

const injectedError = (kind: string): Error =>
  Object.assign(new Error(`Injected fault (${kind})`), { name: 'InjectedTransientFault', $fault: 'server' });

/**
 * Adds a middleware outside the SDK's retry loop, so an injected fault reaches the handler as a transient
 * failure that has exhausted its retries: exactly the case that makes the mapping redeliver the batch.
 */
type Next = (args: unknown) => Promise<unknown>;
interface MiddlewareStack {
  add(middleware: (next: Next) => Next, options: { step: 'initialize'; name: string }): void;
}

export const injectFaults = (
  client: DynamoDBClient | S3Client,
  random: () => number,
  rate = 0,
): FaultInjector => {
  const injector: FaultInjector = { rate, injected: { before: 0, after: 0 } };
  (client.middlewareStack as unknown as MiddlewareStack).add(
    (next) => async (args) => {
      if (random() < injector.rate / 2) {
        injector.injected.before += 1;
        throw injectedError(FaultKind.BEFORE);
      }
      const result = await next(args);
      if (random() < injector.rate / 2) {
        injector.injected.after += 1;
        throw injectedError(FaultKind.AFTER);
      }
      return result;
    },
    { step: 'initialize', name: 'injectFaults' },
  );
  return injector;
};
