import { ErrorCode, PoisonRecordError } from '../errors.js';
import { preview } from './columns.js';
import { isJsonObject } from './payload.js';

/**
 * Avro's JSON encoding writes a non-null union value as `{"<branch>": value}`: the branch is a primitive
 * type's name or a named type's full name (`{"long": 5}`, `{"string": "x"}`,
 * `{"dbserver1.public.products.Value": {...}}`); null stays `null`. Debezium's Avro schemas make every
 * optional column and optional envelope field such a union, so a registry-converted value may carry them.
 */
const PRIMITIVE_BRANCHES: Readonly<Record<string, (value: unknown) => boolean>> = {
  boolean: (value) => typeof value === 'boolean',
  // Longs beyond 2^53 (ts_ns) are rounded by JSON.parse but stay integral; they are never read exactly.
  int: (value) => Number.isInteger(value),
  long: (value) => Number.isInteger(value),
  // Avro has no JSON spelling for NaN and the infinities; Jackson writes them as these strings.
  float: (value) =>
    Number.isFinite(value) || value === 'NaN' || value === 'Infinity' || value === '-Infinity',
  double: (value) =>
    Number.isFinite(value) || value === 'NaN' || value === 'Infinity' || value === '-Infinity',
  // Avro's JSON encoding of bytes is a string of U+0000..U+00FF characters, one per byte.
  bytes: (value) => typeof value === 'string',
  string: (value) => typeof value === 'string',
};

/** Avro field names match [A-Za-z_][A-Za-z0-9_]*: a key with a dot can only be a named type's full name. */
const isNamedBranch = (key: string): boolean => key.includes('.');

const isBranchKey = (key: string): boolean => Object.hasOwn(PRIMITIVE_BRANCHES, key) || isNamedBranch(key);

/** The single own key of an object, or undefined; stops counting at two so a huge object costs nothing. */
const soleKey = (value: Record<string, unknown>): string | undefined => {
  let sole: string | undefined;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (sole !== undefined) return undefined;
    sole = key;
  }
  return sole;
};

const malformedUnion = (where: string, branch: string, value: unknown): PoisonRecordError =>
  new PoisonRecordError(
    ErrorCode.INVALID_FIELD,
    `'${where}' is an Avro union whose branch '${branch.slice(0, 80)}' holds ${preview(value)}`,
  );

/** The branch of a union-encoded value, when `value` is one. */
export const unionBranchOf = (value: unknown): string | undefined => {
  if (!isJsonObject(value)) return undefined;
  const key = soleKey(value);
  return key !== undefined && isBranchKey(key) ? key : undefined;
};

/**
 * `{"int": 5}` → 5; any other value is returned as it is. A branch whose value contradicts it
 * (`{"int": "5"}`, a named record that is a number) is no Avro output at all and is refused as INVALID_FIELD.
 */
export const unwrapUnion = (value: unknown, where: string): unknown => {
  const branch = unionBranchOf(value);
  if (branch === undefined) return value;
  const inner = (value as Record<string, unknown>)[branch];
  const fits = PRIMITIVE_BRANCHES[branch];
  // Named types are records (objects), enums and fixed (strings).
  const valid = fits === undefined ? isJsonObject(inner) || typeof inner === 'string' : fits(inner);
  if (!valid) throw malformedUnion(where, branch, inner);
  return inner;
};

/**
 * An envelope's `before`/`after`: `{"dbserver1.public.products.Value": {...}}` → the row. Only a named
 * branch holding an object is a row union; anything else is left for the caller to refuse.
 */
export const unwrapRowUnion = (image: unknown): unknown => {
  const branch = unionBranchOf(image);
  if (branch === undefined || !isNamedBranch(branch)) return image;
  const row = (image as Record<string, unknown>)[branch];
  return isJsonObject(row) ? row : image;
};

/**
 * Every column (or field) of a row with its union unwrapped. Copy on write: a row without unions is returned
 * as the same object, which is also how callers learn that the value was not in Avro's JSON encoding.
 */
export const unwrapFieldUnions = (
  row: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> => {
  let copy: Record<string, unknown> | undefined;
  for (const key in row) {
    if (!Object.hasOwn(row, key)) continue;
    const value = row[key];
    if (unionBranchOf(value) === undefined) continue;
    // Spread copies own data properties only, `__proto__` included, without touching any prototype; and
    // defineProperty, not assignment, keeps a column named __proto__ an own property.
    copy ??= { ...row };
    Object.defineProperty(copy, key, {
      value: unwrapUnion(value, key),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy ?? row;
};
