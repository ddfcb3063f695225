import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTION_LOGICAL_ID } from '../../infra/constructs/inventory-function.js';
import { loadConfig } from '../../lambda/config.js';
import { templateFor } from './stack-fixture.js';

const EVENTS = join(import.meta.dirname, '..', '..', 'events');
const SAM_ENV = JSON.parse(readFileSync(join(EVENTS, 'sam-env.json'), 'utf8')) as Record<
  string,
  Record<string, string>
>;

/** The Kafka timestamp (ms) of the oldest record in the sample events SAM is invoked with. */
const oldestSampleRecord = (): number =>
  Math.min(
    ...readdirSync(EVENTS)
      .filter((name) => name.endsWith('.json') && name !== 'sam-env.json')
      .flatMap((name) => {
        const event = JSON.parse(readFileSync(join(EVENTS, name), 'utf8')) as {
          records?: Record<string, Array<{ timestamp: number }>>;
        };
        return Object.values(event.records ?? {}).flatMap((records) => records.map((r) => r.timestamp));
      }),
  );

describe('events/sam-env.json', () => {
  it('overrides only variables the synthesized function declares (SAM ignores any other)', () => {
    // Prepare
    const template = templateFor({ localEndpoints: 'true' });

    // Act
    const declared = Object.keys(
      template.toJSON().Resources[FUNCTION_LOGICAL_ID].Properties.Environment.Variables as object,
    );

    // Assess
    for (const name of Object.keys(SAM_ENV[FUNCTION_LOGICAL_ID] ?? {})) expect(declared).toContain(name);
  });

  it('keeps the 2025 sample events within the lag bound, so sam local invoke runs without lag-bound warnings', () => {
    // Prepare
    const variables = SAM_ENV[FUNCTION_LOGICAL_ID] ?? {};

    // Act
    const config = loadConfig({ ...variables, AWS_REGION: 'us-east-1' });

    // Assess
    expect(config.lagBoundHours * 3_600_000).toBeGreaterThan(Date.now() - oldestSampleRecord());
  });
});
