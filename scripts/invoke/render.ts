import type { InvocationSummary } from '../../lambda/create-handler.js';
import { InventoryError } from '../../lambda/errors.js';
import { formatTable } from '../cli/table.js';
import type { InventoryItem } from '../local/local-service.js';
import type { CapturedTelemetry } from './captured-telemetry.js';

/** Keys every Powertools log line carries; the rest is what the line is about. */
const STANDARD_LOG_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
]);

const indent = (text: string, by = '  '): string =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : `${by}${line}`))
    .join('\n');

const clock = (timestamp: unknown): string => {
  const text = typeof timestamp === 'string' ? timestamp : '';
  const match = /T(\d\d:\d\d:\d\d(?:\.\d+)?)/.exec(text);
  return (match?.[1] ?? '').padEnd(12);
};

/** One log entry per line: time, level, message, then its own keys as compact JSON. */
export const formatLogs = (logs: CapturedTelemetry['logs']): string =>
  logs
    .map((entry) => {
      const extra = Object.fromEntries(Object.entries(entry).filter(([key]) => !STANDARD_LOG_KEYS.has(key)));
      const details = Object.keys(extra).length === 0 ? '' : `  ${JSON.stringify(extra)}`;
      return `${clock(entry.timestamp)} ${String(entry.level ?? '').padEnd(5)} ${String(entry.message ?? '')}${details}`;
    })
    .join('\n');

interface MetricDirective {
  readonly Namespace: string;
  readonly Dimensions: ReadonlyArray<readonly string[]>;
  readonly Metrics: ReadonlyArray<{ readonly Name: string; readonly Unit?: string }>;
}

interface MetricGroup {
  readonly title: string;
  readonly rows: Array<{ name: string; value: unknown; unit: string }>;
}

/** EMF documents grouped by namespace and dimension values, each metric with its value and unit. */
export const groupMetrics = (documents: CapturedTelemetry['metricDocuments']): MetricGroup[] => {
  const groups = new Map<string, MetricGroup>();
  for (const document of documents) {
    const directives = (document._aws as { CloudWatchMetrics?: MetricDirective[] }).CloudWatchMetrics ?? [];
    for (const directive of directives) {
      const dimensions = [...new Set(directive.Dimensions.flat())]
        .map((name) => `${name}=${String(document[name])}`)
        .join(', ');
      const title = `${directive.Namespace}${dimensions === '' ? '' : ` (${dimensions})`}`;
      const group = groups.get(title) ?? { title, rows: [] };
      groups.set(title, group);
      for (const metric of directive.Metrics) {
        group.rows.push({ name: metric.Name, value: document[metric.Name], unit: metric.Unit ?? '' });
      }
    }
  }
  return [...groups.values()];
};

export const formatMetrics = (documents: CapturedTelemetry['metricDocuments']): string =>
  groupMetrics(documents)
    .map(
      (group) =>
        `${group.title}\n${indent(
          formatTable(
            [...group.rows].sort((a, b) => a.name.localeCompare(b.name)),
            [
              { header: 'metric', value: (row) => row.name },
              { header: 'value', value: (row) => row.value, align: 'right' },
              { header: 'unit', value: (row) => row.unit },
            ],
          ),
        )}`,
    )
    .join('\n');

export const formatResult = (summary: InvocationSummary): string => {
  const counts = Object.entries(summary.counts)
    .filter(([, value]) => value !== 0)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  const alerts = summary.lowStockAlerts
    .map((alert) => `${alert.productId} ${alert.name ?? ''} stock ${alert.stock}`.replace('  ', ' '))
    .join('; ');
  return [
    `counts (non-zero): ${counts === '' ? 'none' : counts}`,
    `low-stock alerts: ${alerts === '' ? 'none' : alerts}`,
    `dead letters written: ${summary.deadLetterKeys.length === 0 ? 'none' : [...summary.deadLetterKeys].sort().join(', ')}`,
  ].join('\n');
};

export const formatFailure = (error: unknown): string => {
  if (error instanceof InventoryError) return `${error.name} [${error.code}]: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
};

export const section = (title: string, body: string): string =>
  `\n${title}\n${body === '' ? '  (none)' : indent(body)}\n`;

/** What `invoke --json` prints: the whole run as one document, for a script or a ticket. */
export const invocationDocument = (run: {
  readonly file: string;
  readonly outcome: { ok: true; value: InvocationSummary } | { ok: false; error: unknown };
  readonly elapsedMs: number;
  readonly telemetry: CapturedTelemetry;
  readonly tableName: string;
  readonly items: readonly InventoryItem[];
  readonly shown: readonly InventoryItem[];
}) => ({
  file: run.file,
  result: run.outcome.ok
    ? { ok: true, elapsedMs: run.elapsedMs, summary: run.outcome.value }
    : { ok: false, elapsedMs: run.elapsedMs, error: formatFailure(run.outcome.error) },
  logs: run.telemetry.logs,
  metrics: run.telemetry.metricDocuments,
  otherOutput: run.telemetry.otherLines,
  table: { name: run.tableName, count: run.items.length, items: run.shown },
});
