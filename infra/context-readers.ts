/** Typed readers of single context values; each refusal names its key (StackConfigError). */
import { type ContextKey, StackConfigError } from './context-keys.js';

export type ReadContext = (key: ContextKey) => unknown;

/** The retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const MSK_CLUSTER_ARN = /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/;
export const CONSUMER_GROUP = /^[a-zA-Z0-9\-/*:_+=.@]{1,190}$/;
/** The names DynamoDB accepts for a table. */
export const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

export const text = (read: ReadContext, key: ContextKey): string | undefined => {
  const value = read(key);
  if (value === undefined || value === null) return undefined;
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
};

export const list = (read: ReadContext, key: ContextKey): string[] => {
  const value = read(key);
  const items = Array.isArray(value) ? value.map(String) : (text(read, key)?.split(',') ?? []);
  return items.map((item) => item.trim()).filter((item) => item !== '');
};

export const integer = (read: ReadContext, key: ContextKey, min: number, max: number): number | undefined => {
  const raw = text(read, key);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw new StackConfigError(key, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new StackConfigError(key, `must be within ${min}..${max}, got ${value}`);
  return value;
};

export const flag = (read: ReadContext, key: ContextKey): boolean | undefined => {
  const raw = text(read, key)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new StackConfigError(key, `must be true or false, got "${raw}"`);
};

export const oneOf = <T extends string>(
  read: ReadContext,
  key: ContextKey,
  allowed: readonly T[],
): T | undefined => {
  const raw = text(read, key);
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new StackConfigError(key, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
};

/**
 * A complete Secrets Manager secret ARN: the name, a hyphen and the six random characters Secrets Manager
 * appends. A partial ARN (without them) names the secret for Lambda, but an IAM policy whose Resource is a
 * partial ARN matches no secret, so the mappings' GetSecretValue would be denied.
 */
export const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;

export const secretArn = (read: ReadContext, key: ContextKey): string | undefined => {
  const arn = text(read, key);
  if (arn !== undefined && !SECRET_ARN.test(arn)) {
    throw new StackConfigError(
      key,
      `must be a complete Secrets Manager ARN, ending in the secret's 6-character suffix (arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf; aws secretsmanager describe-secret --secret-id <name> --query ARN), got "${arn}"`,
    );
  }
  return arn;
};
