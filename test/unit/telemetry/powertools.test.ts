import { describe, expect, it } from 'vitest';
import { MetricName } from '../../../lambda/telemetry/metric-names.js';
import { addCountMetrics, createLogger, createMetrics } from '../../../lambda/telemetry/powertools.js';
import { captureOutput } from '../../support/captured-output.js';

const STAGE_ENV = {
  POWERTOOLS_METRICS_NAMESPACE: 'InventoryService',
  POWERTOOLS_SERVICE_NAME: 'inventory-service-qa',
} as const;

describe('Powertools from the function environment', () => {
  it('publishes under the namespace and service the environment names, as the stack sets them per stage', async () => {
    // Prepare
    const metrics = createMetrics({ ...STAGE_ENV, POWERTOOLS_METRICS_NAMESPACE: 'InventoryService-qa' });
    addCountMetrics(metrics, { [MetricName.DLQ_WRITES]: 1 } as Parameters<typeof addCountMetrics>[1]);

    // Act
    const { lines } = await captureOutput(async () => metrics.publishStoredMetrics());

    // Assess
    const emf = lines.find((line) => line._aws !== undefined) as
      | { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> }; service: string }
      | undefined;
    expect(emf?._aws.CloudWatchMetrics[0]?.Namespace).toBe('InventoryService-qa');
    expect(emf?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(emf?.service).toBe('inventory-service-qa');
  });

  it('names the environment’s service in every log line', async () => {
    // Prepare
    const logger = createLogger(STAGE_ENV);

    // Act
    const { lines } = await captureOutput(async () => logger.info('hello'));

    // Assess
    expect(lines).toEqual([expect.objectContaining({ service: 'inventory-service-qa' })]);
  });

  it('falls back to the defaults when the variables are unset or blank', async () => {
    // Prepare
    const metrics = createMetrics({ POWERTOOLS_SERVICE_NAME: ' ' });
    addCountMetrics(metrics, { [MetricName.DLQ_WRITES]: 1 } as Parameters<typeof addCountMetrics>[1]);

    // Act
    const { lines } = await captureOutput(async () => metrics.publishStoredMetrics());

    // Assess
    const emf = lines.find((line) => line._aws !== undefined) as
      | { _aws: { CloudWatchMetrics: Array<{ Namespace: string }> }; service: string }
      | undefined;
    expect(emf?._aws.CloudWatchMetrics[0]?.Namespace).toBe('InventoryService');
    expect(emf?.service).toBe('inventory-service');
  });
});
