import { describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE, MetricName, SERVICE_NAME } from '../../../lambda/telemetry/metric-names.js';
import { addCountMetrics, createLogger, createMetrics } from '../../../lambda/telemetry/powertools.js';
import { captureOutput } from '../../support/captured-output.js';

// Dashboards and alarms find the metrics by namespace and service: survivors of `npm run mutate` showed no
// test read them.

describe('Powertools defaults', () => {
  it('publishes metrics under the InventoryService namespace with the service dimension', async () => {
    // Arrange
    const metrics = createMetrics();
    addCountMetrics(metrics, { [MetricName.DLQ_WRITES]: 2 } as Parameters<typeof addCountMetrics>[1]);

    // Act
    const { lines } = await captureOutput(async () => metrics.publishStoredMetrics());

    // Assert
    const emf = lines.find((line) => line._aws !== undefined) as
      | { _aws: { CloudWatchMetrics: Array<{ Namespace: string }> }; service: string; DLQWrites: number }
      | undefined;
    expect(METRICS_NAMESPACE).toBe('InventoryService');
    expect(emf?._aws.CloudWatchMetrics[0]?.Namespace).toBe('InventoryService');
    expect(emf?.service).toBe('inventory-service');
    expect(emf?.DLQWrites).toBe(2);
  });

  it('names the service in every log line', async () => {
    // Arrange
    const logger = createLogger();

    // Act
    const { lines } = await captureOutput(async () => logger.info('hello'));

    // Assert
    expect(SERVICE_NAME).toBe('inventory-service');
    expect(lines).toEqual([expect.objectContaining({ message: 'hello', service: 'inventory-service' })]);
  });
});
