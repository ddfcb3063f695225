import { ErrorCode, PoisonRecordError } from '../errors.js';
import type { FieldSchema } from './decimal.js';

export const TimestampSchema = {
  TIMESTAMP: 'io.debezium.time.Timestamp',
  MICRO_TIMESTAMP: 'io.debezium.time.MicroTimestamp',
  NANO_TIMESTAMP: 'io.debezium.time.NanoTimestamp',
  ZONED_TIMESTAMP: 'io.debezium.time.ZonedTimestamp',
  CONNECT_TIMESTAMP: 'org.apache.kafka.connect.data.Timestamp',
} as const;

const badTimestamp = (message: string): PoisonRecordError =>
  new PoisonRecordError(ErrorCode.BAD_TIMESTAMP, message);

/** Milliseconds per unit of each numeric Debezium timestamp type. */
const MS_PER_UNIT: Readonly<Record<string, number>> = {
  [TimestampSchema.TIMESTAMP]: 1,
  [TimestampSchema.CONNECT_TIMESTAMP]: 1,
  [TimestampSchema.MICRO_TIMESTAMP]: 1e-3,
  [TimestampSchema.NANO_TIMESTAMP]: 1e-6,
};

/**
 * Without a schema the unit is inferred from magnitude: epoch µs are ~1.7e15 today and epoch ms ~1.7e12,
 * so anything above 1e17 is ns, above 1e14 µs, otherwise ms.
 */
const inferredMsPerUnit = (value: number): number => {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e17) return 1e-6;
  if (magnitude >= 1e14) return 1e-3;
  return 1;
};

/** A zone-less ISO string would be parsed as local time; the contract says such wall-clock times are UTC. */
const HAS_ZONE = /(Z|[+-]\d\d(:?\d\d)?)$/i;

const isoFromMs = (ms: number): string => {
  const date = new Date(Math.floor(ms));
  if (Number.isNaN(date.getTime())) throw badTimestamp(`timestamp ${ms} ms is out of range`);
  return date.toISOString();
};

/**
 * A Debezium timestamp column → ISO-8601 UTC.
 * `timestamp without time zone` (Timestamp/MicroTimestamp/NanoTimestamp) is wall-clock time with no zone:
 * it is read as UTC, which is what Debezium's epoch encoding already assumes.
 */
export const toIsoTimestamp = (value: unknown, schema: FieldSchema | undefined): string => {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw badTimestamp(`timestamp ${value} is not finite`);
    const perUnit = (schema?.name && MS_PER_UNIT[schema.name]) || inferredMsPerUnit(value);
    return isoFromMs(value * perUnit);
  }
  if (typeof value === 'string') {
    const parsed = Date.parse(HAS_ZONE.test(value) ? value : `${value}Z`);
    if (Number.isNaN(parsed)) throw badTimestamp(`timestamp "${value.slice(0, 64)}" is not ISO-8601`);
    return isoFromMs(parsed);
  }
  throw badTimestamp(`timestamp has unexpected type ${value === null ? 'null' : typeof value}`);
};
