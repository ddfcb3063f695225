import { ErrorCode, PoisonRecordError } from '../errors.js';
import type { SourcePosition } from '../inventory/position.js';
import { unwrapFieldUnions, unwrapRowUnion, unwrapUnion } from './avro-union.js';
import { preview } from './columns.js';
import type { FieldSchema } from './decimal.js';
import { isJsonObject } from './payload.js';
import { CONNECT_HINT, type RenderingHint, ValueRendering } from './value-rendering.js';

export const Op = { CREATE: 'c', UPDATE: 'u', DELETE: 'd', READ: 'r', TRUNCATE: 't', MESSAGE: 'm' } as const;
export type Op = (typeof Op)[keyof typeof Op];
export type RowOp = typeof Op.CREATE | typeof Op.UPDATE | typeof Op.DELETE | typeof Op.READ;

const ROW_OPS: ReadonlySet<string> = new Set([Op.CREATE, Op.UPDATE, Op.DELETE, Op.READ]);
const ROWLESS_OPS: ReadonlySet<string> = new Set([Op.TRUNCATE, Op.MESSAGE]);

/** One row change, whatever the wire form (schema envelope, plain envelope, ExtractNewRecordState). */
export interface RowChange {
  readonly kind: 'row';
  readonly op: RowOp;
  /** `after` for c/u/r; for d the `before` image, which may hold only the key columns. */
  readonly row: Readonly<Record<string, unknown>>;
  /**
   * An update's `before` image: null with PostgreSQL's default REPLICA IDENTITY, the whole old row with
   * `REPLICA IDENTITY FULL`. Absent for other ops and for unwrapped rows.
   */
  readonly before?: Readonly<Record<string, unknown>>;
  readonly fieldSchemas: ReadonlyMap<string, FieldSchema>;
  readonly position: SourcePosition;
  /** The envelope's `ts_ms`: when the connector processed the change. */
  readonly eventTsMs: number | undefined;
  /** True for an unwrapped row without `__op`: the op was assumed (update), not sent. */
  readonly opInferred: boolean;
  /** How the value became JSON; `row` already has Avro union wrappers removed. */
  readonly rendering: ValueRendering;
}

/** Truncate and logical-decoding messages carry no row. */
export interface RowlessChange {
  readonly kind: 'rowless';
  readonly op: Op;
  /** Where it sits in the source, when its `source` says so readably (for the log: nothing orders by it here). */
  readonly position?: SourcePosition;
}

export type ParsedChange = RowChange | RowlessChange;

const EMPTY_SCHEMAS: ReadonlyMap<string, FieldSchema> = new Map();

const optionalInteger = (value: unknown): number | undefined => {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && Number.isInteger(number)
    ? number
    : undefined;
};

/** An LSN as Debezium writes it: a JSON number (int64) or, inside `sequence`, a decimal string. */
const optionalLsn = (value: unknown): bigint | undefined => {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  return undefined;
};

const invalidSequence = (raw: unknown): PoisonRecordError =>
  new PoisonRecordError(
    ErrorCode.INVALID_FIELD,
    `source.sequence must be a JSON array of two LSN strings or nulls, got ${preview(raw)}`,
  );

/**
 * `source.sequence` is a JSON array encoded in a string (SourceInfo.sequence() writes it with Jackson):
 * `["<lastCommitLsn>|null", "<lsn>|null"]`. A value that is present but unreadable is refused rather than
 * ignored: falling back silently would order the change by a weaker rule without anyone knowing.
 */
const parseSequence = (raw: unknown): SourcePosition['sequence'] => {
  if (raw === undefined || raw === null) return undefined;
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw invalidSequence(raw);
    }
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalidSequence(raw);
  const [lastCommit, lsn] = parsed as unknown[];
  const lastCommitLsn = optionalLsn(lastCommit);
  const changeLsn = optionalLsn(lsn);
  if ((lastCommit !== null && lastCommitLsn === undefined) || (lsn !== null && changeLsn === undefined)) {
    throw invalidSequence(raw);
  }
  return changeLsn === undefined && lastCommitLsn === undefined
    ? undefined
    : { lastCommitLsn, lsn: changeLsn };
};

/** Very old connectors send `ts_usec` instead of `ts_ms`. */
const sourceMillis = (ms: unknown, usec: unknown): number | undefined => {
  const millis = optionalInteger(ms);
  if (millis !== undefined) return millis;
  const micros = optionalInteger(usec);
  return micros === undefined ? undefined : Math.floor(micros / 1000);
};

const fieldSchemasOf = (structSchema: unknown): ReadonlyMap<string, FieldSchema> => {
  if (!isJsonObject(structSchema) || !Array.isArray(structSchema.fields)) return EMPTY_SCHEMAS;
  const schemas = new Map<string, FieldSchema>();
  for (const field of structSchema.fields) {
    if (isJsonObject(field) && typeof field.field === 'string')
      schemas.set(field.field, field as FieldSchema);
  }
  return schemas;
};

/** The struct schema of the envelope's `after` (or `before`) field, which describes the row's columns. */
const rowSchemaOfEnvelope = (schema: unknown): ReadonlyMap<string, FieldSchema> => {
  if (!isJsonObject(schema) || !Array.isArray(schema.fields)) return EMPTY_SCHEMAS;
  const rowField =
    schema.fields.find((field) => isJsonObject(field) && field.field === 'after') ??
    schema.fields.find((field) => isJsonObject(field) && field.field === 'before');
  return fieldSchemasOf(rowField);
};

const parseOp = (raw: unknown): Op => {
  if (typeof raw !== 'string' || !(ROW_OPS.has(raw) || ROWLESS_OPS.has(raw))) {
    throw new PoisonRecordError(ErrorCode.UNKNOWN_OP, `Unknown Debezium op ${preview(raw)}`);
  }
  return raw as Op;
};

/**
 * Registry-converted values have no Connect schema and may be in Avro's JSON encoding: every field the
 * decoder reads goes through here, and `seen` records whether any union wrapper was met.
 */
interface Unwrapper {
  readonly field: (value: unknown, where: string) => unknown;
  readonly row: (image: unknown) => unknown;
  readonly seen: () => boolean;
}

const CONNECT_UNWRAPPER: Unwrapper = { field: (value) => value, row: (image) => image, seen: () => false };

const avroUnwrapper = (): Unwrapper => {
  let seen = false;
  return {
    field: (value, where) => {
      const plain = unwrapUnion(value, where);
      seen ||= plain !== value;
      return plain;
    },
    row: (image) => {
      const unwrapped = unwrapRowUnion(image);
      if (!isJsonObject(unwrapped)) return unwrapped;
      const row = unwrapFieldUnions(unwrapped);
      seen ||= unwrapped !== image || row !== unwrapped;
      return row;
    },
    seen: () => seen,
  };
};

const renderingOf = (schema: unknown, unwrap: Unwrapper, hint: RenderingHint): ValueRendering => {
  if (schema !== undefined) return ValueRendering.CONNECT_JSON;
  if (unwrap.seen()) return ValueRendering.AVRO_JSON;
  return hint.registry ? ValueRendering.REGISTRY_PLAIN : ValueRendering.CONNECT_JSON;
};

/**
 * A row-less change keeps its source position for whoever reports it. Its position is read leniently: a
 * TRUNCATE or message with an unreadable `sequence` was ignored before it had a position and still is.
 */
const rowlessChange = (op: Op, payload: Record<string, unknown>, unwrap: Unwrapper): RowlessChange => {
  const source = isJsonObject(payload.source) ? payload.source : {};
  try {
    const position: SourcePosition = {
      lsn: optionalLsn(unwrap.field(source.lsn, 'source.lsn')),
      sequence: parseSequence(unwrap.field(source.sequence, 'source.sequence')),
      sourceTsMs: sourceMillis(
        unwrap.field(source.ts_ms, 'source.ts_ms'),
        unwrap.field(source.ts_usec, 'source.ts_usec'),
      ),
    };
    return { kind: 'rowless', op, position };
  } catch {
    return { kind: 'rowless', op };
  }
};

const parseDebeziumEnvelope = (
  payload: Record<string, unknown>,
  schema: unknown,
  unwrap: Unwrapper,
  hint: RenderingHint,
): ParsedChange => {
  const op = parseOp(payload.op);
  if (!ROW_OPS.has(op)) return rowlessChange(op, payload, unwrap);
  const image = unwrap.row(op === Op.DELETE ? payload.before : payload.after);
  if (!isJsonObject(image)) {
    const which = op === Op.DELETE ? 'before' : 'after';
    // A delete without a before image can still be applied by its Kafka key.
    if (!(op === Op.DELETE && (image === null || image === undefined))) {
      throw new PoisonRecordError(ErrorCode.MISSING_FIELD, `Debezium '${op}' event has no '${which}' row`);
    }
  }
  const source = isJsonObject(payload.source) ? payload.source : {};
  const eventTsMs = optionalInteger(unwrap.field(payload.ts_ms, 'ts_ms'));
  const before = op === Op.UPDATE ? unwrap.row(payload.before) : undefined;
  return {
    kind: 'row',
    op: op as RowOp,
    row: isJsonObject(image) ? image : {},
    ...(isJsonObject(before) ? { before } : {}),
    fieldSchemas: rowSchemaOfEnvelope(schema),
    position: {
      lsn: optionalLsn(unwrap.field(source.lsn, 'source.lsn')),
      sequence: parseSequence(unwrap.field(source.sequence, 'source.sequence')),
      sourceTsMs:
        sourceMillis(
          unwrap.field(source.ts_ms, 'source.ts_ms'),
          unwrap.field(source.ts_usec, 'source.ts_usec'),
        ) ?? eventTsMs,
    },
    eventTsMs,
    opInferred: false,
    rendering: renderingOf(schema, unwrap, hint),
  };
};

/** ExtractNewRecordState: the flat row, with optional `__op`, `__deleted`, `__lsn`, `__source_ts_ms`. */
const parseUnwrappedRow = (
  payload: Record<string, unknown>,
  schema: unknown,
  unwrap: Unwrapper,
  hint: RenderingHint,
): ParsedChange => {
  const row = unwrap.row(payload) as Record<string, unknown>;
  const deleted = row.__deleted === true || row.__deleted === 'true';
  const op = deleted ? Op.DELETE : row.__op === undefined ? Op.UPDATE : parseOp(row.__op);
  if (!ROW_OPS.has(op)) return { kind: 'rowless', op };
  return {
    kind: 'row',
    op: op as RowOp,
    row,
    fieldSchemas: fieldSchemasOf(schema),
    position: {
      lsn: optionalLsn(row.__lsn),
      sequence: parseSequence(row.__source_sequence ?? row.__sequence),
      sourceTsMs: optionalInteger(row.__source_ts_ms) ?? optionalInteger(row.__ts_ms),
    },
    eventTsMs: optionalInteger(row.__ts_ms) ?? optionalInteger(row.__source_ts_ms),
    opInferred: !deleted && row.__op === undefined,
    rendering: renderingOf(schema, unwrap, hint),
  };
};

const isDebeziumEnvelope = (payload: Record<string, unknown>): boolean =>
  'op' in payload && ('source' in payload || 'after' in payload || 'before' in payload);

/** `{schema, payload}` (JsonConverter with schemas) or the bare payload. */
export const unwrapSchemaEnvelope = (json: unknown): { payload: unknown; schema: unknown } =>
  isJsonObject(json) && 'payload' in json && 'schema' in json
    ? { payload: json.payload, schema: json.schema }
    : { payload: json, schema: undefined };

/**
 * Recognises the wire form of a decoded Kafka value and returns the row change it carries.
 * Returns undefined for a schema envelope whose payload is null (a tombstone in disguise).
 * A value without a Connect schema may come from a schema registry in Avro's JSON encoding: its union
 * wrappers are removed here, so nothing downstream has to know (a Connect schema rules them out).
 */
export const parseChange = (json: unknown, hint: RenderingHint = CONNECT_HINT): ParsedChange | undefined => {
  const { payload, schema } = unwrapSchemaEnvelope(json);
  if (payload === null) return undefined;
  if (!isJsonObject(payload)) {
    throw new PoisonRecordError(
      ErrorCode.NOT_AN_OBJECT,
      `Kafka value is JSON ${Array.isArray(payload) ? 'array' : typeof payload}, not an object`,
    );
  }
  const unwrap = schema === undefined ? avroUnwrapper() : CONNECT_UNWRAPPER;
  return isDebeziumEnvelope(payload)
    ? parseDebeziumEnvelope(payload, schema, unwrap, hint)
    : parseUnwrappedRow(payload, schema, unwrap, hint);
};
