import { decodeRecord } from '../lambda/decode/decode-record.js';
import { flattenRecords, type KafkaEvent } from '../lambda/decode/kafka-event.js';
import { StockModel } from '../lambda/inventory/stock-model.js';
import { ORDER_ITEMS_TOPIC, PRODUCTS_TOPIC } from '../test/support/debezium.js';
import type { Workload } from './workload.js';

export interface DecodeFigures {
  readonly records: number;
  readonly bytes: number;
  readonly decodeMs: number;
  readonly jsonParseMs: number;
}

const topics = {
  productsTopic: PRODUCTS_TOPIC,
  orderItemsTopic: ORDER_ITEMS_TOPIC,
  priceScale: 2,
  sourceEpoch: 0,
  stockModel: StockModel.ORDERS,
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

const timed = (work: () => void): number => {
  const started = performance.now();
  work();
  return performance.now() - started;
};

/**
 * The service's whole decode stage (flatten the event, base64 → UTF-8 → JSON → Debezium → typed change)
 * against `JSON.parse` alone of the same values already turned into strings: the floor any decoder pays.
 * Alternating rounds, median of each, after three warm-up rounds.
 */
export const measureDecode = (workload: Workload, rounds = 9): DecodeFigures => {
  const events = workload.batches.map((batch) => batch.event as unknown as KafkaEvent);
  const texts = workload.batches.flatMap((batch) =>
    batch.records.map((record) => Buffer.from(record.value ?? '', 'base64').toString('utf8')),
  );
  const decodeAll = (): void => {
    for (const event of events) for (const record of flattenRecords(event)) decodeRecord(record, topics);
  };
  const parseAll = (): void => {
    for (const text of texts) JSON.parse(text);
  };
  for (let warmUp = 0; warmUp < 3; warmUp++) {
    decodeAll();
    parseAll();
  }
  const decodeTimes: number[] = [];
  const parseTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    decodeTimes.push(timed(decodeAll));
    parseTimes.push(timed(parseAll));
  }
  return {
    records: texts.length,
    bytes: texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0),
    decodeMs: median(decodeTimes),
    jsonParseMs: median(parseTimes),
  };
};
