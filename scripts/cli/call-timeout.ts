import { UsageError } from './errors.js';

/**
 * How long one AWS or PostgreSQL call of a tool may take, its retries included. A tool runs for as long as
 * its table needs (a reconcile of millions of rows takes hours), so the bound is per call, not per run: an
 * endpoint that accepts connections and never answers ends the tool with one line instead of hanging it.
 */
export const CALL_TIMEOUT_VARIABLE = 'INVENTORY_CALL_TIMEOUT_SECONDS';
/** With a tool's start (~2 s under tsx), a silent endpoint ends the run well within 30 s. */
export const DEFAULT_CALL_TIMEOUT_SECONDS = 15;
const MAX_CALL_TIMEOUT_SECONDS = 3_600;

/** Per attempt: a connection that does not open, or a request that does not answer, is abandoned and retried. */
const CONNECTION_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 10_000;

type Env = Readonly<Record<string, string | undefined>>;

/** The call timeout in milliseconds from INVENTORY_CALL_TIMEOUT_SECONDS; a bad value is a usage error. */
export const callTimeoutMs = (env: Env): number => {
  const raw = env[CALL_TIMEOUT_VARIABLE]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_CALL_TIMEOUT_SECONDS * 1000;
  const seconds = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || seconds <= 0 || seconds > MAX_CALL_TIMEOUT_SECONDS) {
    throw new UsageError(
      `environment: ${CALL_TIMEOUT_VARIABLE}: expected seconds in (0, ${MAX_CALL_TIMEOUT_SECONDS}], got "${raw}"`,
    );
  }
  return Math.round(seconds * 1000);
};

/** The SDK's per-attempt timeouts, never longer than the whole call may take. */
export const requestHandlerWithin = (timeoutMs: number) =>
  ({
    connectionTimeout: Math.min(CONNECTION_TIMEOUT_MS, timeoutMs),
    requestTimeout: Math.min(REQUEST_TIMEOUT_MS, timeoutMs),
    // Without it the SDK only logs a warning and the request goes on waiting.
    throwOnRequestTimeout: true,
  }) as const;

/** A tool's call got no answer in time: the endpoint is down or silent. Reported as one line, exit code 1. */
export class CallTimeoutError extends Error {
  readonly code = 'CALL_TIMEOUT';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

interface Sender {
  // biome-ignore lint/suspicious/noExplicitAny: every SDK client's send, whatever its commands
  send(command: any, options?: { abortSignal?: AbortSignal }): Promise<any>;
}

/**
 * Bounds every call of `client` (its retries and a waiter's polls included) by `timeoutMs`: the call is
 * aborted, which closes its socket and stops its retries, so nothing is left running when the tool ends.
 */
export const boundEachCall = (client: Sender, timeoutMs: number, where: string): void => {
  const send = client.send.bind(client);
  const service = client.constructor.name.replace(/Client$/, '');
  client.send = async (command, options = {}) => {
    const name = String(command?.constructor?.name ?? 'call').replace(/Command$/, '');
    const timeout = new CallTimeoutError(
      `${service} ${name} got no answer from ${where} within ${timeoutMs / 1000} s (${CALL_TIMEOUT_VARIABLE})`,
    );
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(timeout), timeoutMs);
    const signal =
      options.abortSignal === undefined
        ? controller.signal
        : AbortSignal.any([controller.signal, options.abortSignal]);
    try {
      return await send(command, { ...options, abortSignal: signal });
    } catch (error) {
      throw controller.signal.aborted ? timeout : error;
    } finally {
      clearTimeout(timer);
    }
  };
};
