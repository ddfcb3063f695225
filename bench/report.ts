import { ENTRIES_PER_TRANSACTION } from '../lambda/store/order-writes.js';
import type { Footprint } from './footprint.js';
import type { HotProductFigures } from './hot-product.js';
import type { ConsumerRun, ThroughputFigures } from './throughput.js';

export const count = (value: number): string => Math.round(value).toLocaleString('en-US');
export const fixed = (value: number, digits = 2): string => value.toFixed(digits);
export const verdict = (met: boolean): string => (met ? 'met' : 'NOT MET');

/** Lambda gives a function CPU in proportion to its memory: 1,769 MB is one vCPU (Lambda developer guide). */
export const MB_PER_VCPU = 1_769;

/** One consumer's figures per record and per order line, from one comparison run and its footprint. */
export interface ConsumerFigures {
  readonly callsPerRecord: number;
  readonly cpuMicrosPerRecord: number;
  readonly wcuPerRecord: number;
  readonly wcuPerOrderLine: number;
  readonly attemptsPerCommit: number;
}

export const consumerFigures = (
  run: ConsumerRun,
  footprint: Footprint,
  records: number,
  orderLines: number,
): ConsumerFigures => ({
  callsPerRecord: run.calls / records,
  cpuMicrosPerRecord: run.cpuMicros / records,
  wcuPerRecord: footprint.wcu / records,
  wcuPerOrderLine: footprint.orderItemsWcu / orderLines,
  attemptsPerCommit: run.commits === 0 ? 1 : run.attempts / run.commits,
});

const breakdown = (run: ConsumerRun): string =>
  [...run.probe.calls]
    .sort(([, a], [, b]) => b - a)
    .map(([command, calls]) => `${count(calls)} ${command.replace(/Command$/, '')}`)
    .join(', ');

/** The lines of one batch size: both consumers side by side, every figure from this run. */
export const comparisonLines = (
  batchSize: number,
  figures: ThroughputFigures,
  loop: ConsumerFigures,
  handler: ConsumerFigures,
  memoryMb: number,
): string[] => {
  const at = `batch ${count(batchSize)} @${figures.latencyMs} ms/call`;
  const { tables } = figures;
  const rate = (ms: number) => figures.records / (ms / 1000);
  const cpuBound = (1e6 * (memoryMb / MB_PER_VCPU)) / handler.cpuMicrosPerRecord;
  return [
    `${at}: calls per record: loop ${fixed(loop.callsPerRecord, 3)}, handler ${fixed(handler.callsPerRecord, 3)} ` +
      `(all DynamoDB calls over ${count(figures.records)} records; handler: ${breakdown(figures.handler)}; loop: ${breakdown(figures.loop)})`,
    `${at}: CPU µs per record: loop ${fixed(loop.cpuMicrosPerRecord, 0)}, handler ${fixed(handler.cpuMicrosPerRecord, 0)} ` +
      `(handler/loop ${fixed(handler.cpuMicrosPerRecord / loop.cpuMicrosPerRecord)}; process.cpuUsage of this process around each consumer's own work, ` +
      `SDK and HTTP client included; DynamoDB Local is another process, its CPU not counted)`,
    `${at}: WCU per record: loop ${fixed(loop.wcuPerRecord, 3)}, handler ${fixed(handler.wcuPerRecord, 3)}; ` +
      `WCU per order line: loop ${fixed(loop.wcuPerOrderLine, 3)}, handler ${fixed(handler.wcuPerOrderLine, 3)} ` +
      `(the order_items invocations' writes over ${count(figures.orderLines)} order lines)`,
    `${at}: attempts per commit: loop ${fixed(loop.attemptsPerCommit, 3)}, handler ${fixed(handler.attemptsPerCommit, 3)} ` +
      `(handler: DynamoDbWriteAttempts ${count(figures.handler.attempts)} / DynamoDbWrites ${count(figures.handler.commits)}; ` +
      `${count(figures.handler.probe.failedWrites)} write calls refused, e.g. a restock's blind update before its read)`,
    `${at}: wall time: loop ${fixed(figures.loop.ms / 1000, 1)} s, handler ${fixed(figures.handler.ms / 1000, 1)} s: ` +
      `loop/handler = ${fixed(figures.loop.ms / figures.handler.ms, 1)}× ` +
      `(loop ${count(rate(figures.loop.ms))} records/s; handler ${count(rate(figures.handler.ms))} records/s, one invocation at a time, ` +
      `i.e. per partition; CPU-bound ceiling at ${memoryMb} MB (${fixed(memoryMb / MB_PER_VCPU)} vCPU) ${count(cpuBound)} records/s)`,
    `${at}: writes vs the coalescing limit: ${fixed(figures.handler.writes / figures.limitWrites, 3)}× ` +
      `(${count(figures.handler.writes)} write calls, limit ${count(figures.limitWrites)}: one write per product's upserts and one ` +
      `transaction per ${ENTRIES_PER_TRANSACTION} order lines of a product, per batch)`,
    `${at}: same table: ${tables.ok ? 'yes' : 'NO'} (name, description, price of all ${count(tables.products)} products ` +
      `${tables.columnsEqual ? 'equal' : 'DIFFER'}; stock equal on ${count(tables.orderOnlyEqual)} of the ${count(tables.orderOnly)} products ` +
      `that only order lines touched; handler stock = serial commit order on ${count(tables.handlerExact)} of ${count(tables.products)}, ` +
      `loop on ${count(tables.loopExact)} (its PutItem writes the row's stock back, and it applies the topics in delivery order); ` +
      `${count(tables.ledgerEntries)} ledger entries for ${count(figures.orderLines)} order lines; ${figures.deadLetters} dead letters)`,
  ];
};

export const hotProductLine = (hot: HotProductFigures): string => {
  const { transactions } = hot.conflicts;
  return (
    `hot product ${hot.partitions}×${hot.lines} @${hot.latencyMs} ms/call: ${hot.failedInvocations} failed invocations ` +
    `(${count(hot.partitions + hot.failedInvocations)} deliveries for ${hot.partitions} batches), ` +
    `attempts per commit ${fixed(transactions.sent / Math.max(1, transactions.committed))} ` +
    `(${count(transactions.sent)} transactions sent, ${count(transactions.cancelled)} cancelled as conflicting, ${count(transactions.committed)} committed; ` +
    `handler's DynamoDbWriteAttempts/DynamoDbWrites ${fixed(hot.reportedAttempts / Math.max(1, hot.reportedWrites))}), ` +
    `${fixed(hot.ms / 1000, 2)} s, ${count(hot.calls)} calls; the item held by a committing transaction ` +
    `${fixed((100 * hot.conflicts.heldMs) / hot.ms, 0)} % of that time, ${fixed(hot.conflicts.heldMs / Math.max(1, transactions.committed), 1)} ms per commit; stock exact: ${hot.exact ? 'yes' : 'NO'} ` +
    `(${count(hot.finalStock ?? Number.NaN)}, expected ${count(hot.expectedStock)}; ${count(hot.entries)} entries)`
  );
};
