import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collapseSpaces, sessionLines, shellScript } from './support/session-blocks.js';

const SAMPLE = readFileSync(join(import.meta.dirname, 'fixtures', 'session-sample.md'), 'utf8');

describe('sessionLines', () => {
  it('reads only ```sh session blocks, with the exit code and output each comment promises', () => {
    // Act
    const lines = sessionLines(SAMPLE, 'sample.md');

    // Assess
    expect(lines).toEqual([
      {
        command: 'export LAG_BOUND_HOURS=87600',
        expectedExitCode: 0,
        expectedOutput: [],
        isExport: true,
        source: 'sample.md:8',
      },
      {
        command: 'npm run -s invoke -- events/products-create.json',
        expectedExitCode: 0,
        expectedOutput: ['ProductsUpserted 2'],
        isExport: false,
        source: 'sample.md:9',
      },
      {
        command: 'npm run -s inventory -- --endpoint local --low-stock',
        expectedExitCode: 0,
        expectedOutput: ['2 of 6 product(s)', 'under 10'],
        isExport: false,
        source: 'sample.md:12',
      },
      {
        command: 'npm run -s replay -- --endpoint local --partiton 1',
        expectedExitCode: 2,
        expectedOutput: ["Unknown option '--partiton'"],
        isExport: false,
        source: 'sample.md:13',
      },
      {
        command: 'npm run -s redrive -- --endpoint local --dry-run',
        expectedExitCode: 0,
        expectedOutput: [],
        isExport: false,
        source: 'sample.md:14',
      },
    ]);
  });
});

describe('shellScript', () => {
  it('runs a line after the exports written before it, as a terminal would', () => {
    // Arrange
    const lines = sessionLines(SAMPLE, 'sample.md');
    const replay = lines.find((line) => line.command.includes('replay'));
    if (replay === undefined) throw new Error('the sample has a replay line');

    // Act
    const script = shellScript(replay, lines.slice(0, 3));

    // Assess
    expect(script).toBe('export LAG_BOUND_HOURS=87600\nnpm run -s replay -- --endpoint local --partiton 1');
  });
});

describe('collapseSpaces', () => {
  it('compares aligned columns by their words', () => {
    // Assess
    expect(collapseSpaces('would still fail  dbserver1.public.products/0/16.json\n')).toBe(
      'would still fail dbserver1.public.products/0/16.json',
    );
  });
});
