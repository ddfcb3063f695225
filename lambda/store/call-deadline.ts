import { AsyncLocalStorage } from 'node:async_hooks';
import { CallDeadlineError } from '../errors.js';

/**
 * The moment by which every AWS call of the current invocation must have answered. The time-budget guard
 * only runs between writes; a call that never answers (a blackholed connection) would otherwise run into
 * Lambda's own timeout, which loses the invocation's logs and metrics. Set per invocation with `run`.
 */
const deadline = new AsyncLocalStorage<number>();

export const runWithCallDeadline = <T>(deadlineMs: number, work: () => Promise<T>): Promise<T> =>
  deadline.run(deadlineMs, work);

/** Time left before the current invocation's deadline; unbounded outside an invocation (tools, tests). */
export const millisecondsBeforeCallDeadline = (): number => {
  const until = deadline.getStore();
  return until === undefined ? Number.POSITIVE_INFINITY : until - Date.now();
};

type Next = (args: unknown) => Promise<unknown>;
interface MiddlewareStack {
  add(middleware: (next: Next) => Next, options: { step: 'initialize'; name: string }): void;
}

/**
 * Races every call (its retries included: the middleware sits outside the retry loop) with the current
 * invocation's deadline. The connection's own request timeout (clients.ts) then closes the socket.
 */
export const boundCallsByDeadline = (client: { middlewareStack: unknown }): void => {
  (client.middlewareStack as MiddlewareStack).add(
    (next) => (args) => {
      const until = deadline.getStore();
      if (until === undefined) return next(args);
      const left = until - Date.now();
      if (left <= 0) return Promise.reject(new CallDeadlineError(left));
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CallDeadlineError(0)), left);
      });
      return Promise.race([next(args), expired]).finally(() => clearTimeout(timer));
    },
    { step: 'initialize', name: 'boundCallsByDeadline' },
  );
};
