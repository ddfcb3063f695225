import { describe, expect, it } from 'vitest';
import { BatchCounters, type Counts } from '../../../lambda/telemetry/batch-counters.js';
import { MetricName } from '../../../lambda/telemetry/metric-names.js';

describe('BatchCounters', () => {
  it('starts every metric at zero', () => {
    // Prepare
    const onProgress = (): void => {};

    // Act
    const counters = new BatchCounters(100, onProgress);

    // Assess
    expect(Object.keys(counters.counts).sort()).toEqual(Object.values(MetricName).sort());
    expect(Object.values(counters.counts).every((count) => count === 0)).toBe(true);
  });

  it('adds to one metric, by one or by a given amount', () => {
    // Prepare
    const counters = new BatchCounters(100, () => {});

    // Act
    counters.add(MetricName.STOCK_DECREMENTED);
    counters.add(MetricName.STOCK_DECREMENTED, 4);
    counters.add(MetricName.DLQ_WRITES);

    // Assess
    expect(counters.counts[MetricName.STOCK_DECREMENTED]).toBe(5);
    expect(counters.counts[MetricName.DLQ_WRITES]).toBe(1);
    expect(counters.counts[MetricName.RECORDS_PROCESSED]).toBe(0);
  });

  it('reports progress every N records, with the running counts', () => {
    // Prepare
    const snapshots: number[] = [];
    const counters = new BatchCounters(100, (counts: Readonly<Counts>) => {
      snapshots.push(counts[MetricName.RECORDS_PROCESSED]);
    });

    // Act
    counters.recordDone(99);
    const beforeHundred = [...snapshots];
    counters.recordDone();
    counters.recordDone(150);

    // Assess
    expect(beforeHundred).toEqual([]);
    expect(snapshots).toEqual([100, 200]);
    expect(counters.counts[MetricName.RECORDS_PROCESSED]).toBe(250);
  });

  it('reports each multiple crossed by one large step', () => {
    // Prepare
    const snapshots: number[] = [];
    const counters = new BatchCounters(10, (counts) => {
      snapshots.push(counts[MetricName.RECORDS_PROCESSED]);
    });

    // Act
    counters.recordDone(35);

    // Assess
    expect(snapshots).toEqual([10, 20, 30]);
  });
});
