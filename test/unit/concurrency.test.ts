import { describe, expect, it } from 'vitest';
import { forEachConcurrently } from '../../lambda/concurrency.js';
import { captureRejection } from './support/errors.js';

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** A worker that records how many calls run at once. */
const measuringWorker = (delayOf: (item: number) => number) => {
  const state = { inFlight: 0, maxInFlight: 0, started: [] as number[], finished: [] as number[] };
  const worker = async (item: number): Promise<void> => {
    state.started.push(item);
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    await sleep(delayOf(item));
    state.inFlight -= 1;
    state.finished.push(item);
  };
  return { state, worker };
};

describe('forEachConcurrently', () => {
  it('never runs more than the limit at once, and reaches it', async () => {
    // Prepare
    const items = Array.from({ length: 12 }, (_, index) => index);
    const { state, worker } = measuringWorker((item) => 2 + (item % 3) * 3);

    // Act
    await forEachConcurrently(items, 3, worker);

    // Assess
    expect(state.maxInFlight).toBe(3);
    expect(state.inFlight).toBe(0);
    expect([...state.finished].sort((a, b) => a - b)).toEqual(items);
    expect(state.started).toEqual(items);
  });

  it('runs one at a time, in order, with limit 1', async () => {
    // Prepare
    const items = [5, 1, 4, 2];
    const { state, worker } = measuringWorker((item) => item);

    // Act
    await forEachConcurrently(items, 1, worker);

    // Assess
    expect(state.maxInFlight).toBe(1);
    expect(state.finished).toEqual([5, 1, 4, 2]);
  });

  it('starts no more workers than there are items', async () => {
    // Prepare
    const items = [1, 2];
    const { state, worker } = measuringWorker(() => 5);

    // Act
    await forEachConcurrently(items, 16, worker);

    // Assess
    expect(state.maxInFlight).toBe(2);
    expect(state.finished).toHaveLength(2);
  });

  it('resolves without calling the worker for no items', async () => {
    // Prepare
    const { state, worker } = measuringWorker(() => 0);

    // Act
    await forEachConcurrently([], 4, worker);

    // Assess
    expect(state.started).toEqual([]);
  });

  it('starts nothing new after the first failure, lets in-flight work finish, then rethrows it', async () => {
    // Prepare
    const failure = new Error('throttled');
    const started: number[] = [];
    const finished: number[] = [];
    const worker = async (item: number): Promise<void> => {
      started.push(item);
      if (item === 1) throw failure;
      await sleep(20);
      finished.push(item);
    };

    // Act
    const error = await captureRejection(() => forEachConcurrently([1, 2, 3, 4, 5], 2, worker));

    // Assess
    expect(error).toBe(failure);
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([2]);
  });

  it('rethrows the failure that happened first in time, not the first item’s', async () => {
    // Prepare
    const slowFailure = new Error('slow');
    const fastFailure = new Error('fast');
    const worker = async (item: number): Promise<void> => {
      if (item === 1) {
        await sleep(30);
        throw slowFailure;
      }
      await sleep(1);
      throw fastFailure;
    };

    // Act
    const error = await captureRejection(() => forEachConcurrently([1, 2], 2, worker));

    // Assess
    expect(error).toBe(fastFailure);
  });

  it('stops a sequential run at the failing item', async () => {
    // Prepare
    const failure = new TypeError('bad item');
    const started: number[] = [];
    const worker = async (item: number): Promise<void> => {
      started.push(item);
      await sleep(1);
      if (item === 3) throw failure;
    };

    // Act
    const error = await captureRejection(() => forEachConcurrently([1, 2, 3, 4, 5, 6], 1, worker));

    // Assess
    expect(error).toBe(failure);
    expect(started).toEqual([1, 2, 3]);
  });
});
