import { describe, expect, it } from 'vitest';
import { keyTurns } from '../../../scripts/local/key-turns.js';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

describe('keyTurns', () => {
  it('runs work on one key one at a time, in the order it arrived', async () => {
    // Prepare
    const turns = keyTurns();
    const events: string[] = [];
    const work = (name: string) => async () => {
      events.push(`${name} start`);
      await tick();
      events.push(`${name} end`);
      return name;
    };

    // Act
    const results = await Promise.all(['a', 'b', 'c'].map((name) => turns.run(['k'], work(name))));

    // Assess
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('lets work on different keys overlap', async () => {
    // Prepare
    const turns = keyTurns();
    let running = 0;
    let mostAtOnce = 0;
    const work = async () => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await tick();
      running -= 1;
    };

    // Act
    await Promise.all(['x', 'y', 'z'].map((key) => turns.run([key], work)));

    // Assess
    expect(mostAtOnce).toBe(3);
  });

  it('never deadlocks two runs that take the same two keys in opposite order', async () => {
    // Prepare
    const turns = keyTurns();
    const runs = Array.from({ length: 20 }, (_, index) =>
      turns.run(index % 2 === 0 ? ['a', 'b'] : ['b', 'a'], async () => {
        await tick();
        return index;
      }),
    );

    // Act
    const results = await Promise.all(runs);

    // Assess
    expect(results).toEqual(Array.from({ length: 20 }, (_, index) => index));
  });

  it('releases the key when the work fails', async () => {
    // Prepare
    const turns = keyTurns();
    const failing = turns.run(['k'], async () => {
      throw new Error('boom');
    });

    // Act
    const next = turns.run(['k'], async () => 'after');

    // Assess
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('after');
  });
});
