import type { Template } from 'aws-cdk-lib/assertions';

/** A custom metric as CloudWatch identifies it: namespace, name and dimensions, in one string. */
export type MetricKey = string;

const key = (namespace: string, name: string, dimensions: Record<string, unknown>): MetricKey =>
  `${namespace} ${name} ${Object.entries(dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([dimension, value]) => `${dimension}=${JSON.stringify(value)}`)
    .join(',')}`;

const isCustom = (namespace: unknown): namespace is string =>
  typeof namespace === 'string' && !namespace.startsWith('AWS/');

interface AlarmMetric {
  readonly Namespace?: unknown;
  readonly MetricName?: string;
  readonly Dimensions?: ReadonlyArray<{ Name: string; Value: unknown }>;
}

const fromAlarmMetric = (metric: AlarmMetric): MetricKey[] =>
  isCustom(metric.Namespace)
    ? [
        key(
          metric.Namespace,
          metric.MetricName ?? '',
          Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name, d.Value])),
        ),
      ]
    : [];

/** Every custom metric an alarm of the template reads, single-metric and metric-math alike. */
export const alarmCustomMetrics = (template: Template): MetricKey[] =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm')).flatMap((alarm) => {
    const properties = alarm.Properties as AlarmMetric & {
      Metrics?: ReadonlyArray<{ MetricStat?: { Metric: AlarmMetric } }>;
    };
    return [
      ...fromAlarmMetric(properties),
      ...(properties.Metrics ?? []).flatMap((query) =>
        query.MetricStat === undefined ? [] : fromAlarmMetric(query.MetricStat.Metric),
      ),
    ];
  });

/** The dashboard body with every token (Ref, GetAtt) replaced by a placeholder string, parsed. */
const dashboardBody = (
  template: Template,
): { widgets: Array<{ properties?: { metrics?: unknown[][] } }> } => {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const body = dashboard?.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text);
};

/** Every custom metric a dashboard graph plots (`[namespace, name, dim, value, ..., options]`). */
export const dashboardCustomMetrics = (template: Template): MetricKey[] =>
  dashboardBody(template).widgets.flatMap((widget) =>
    (widget.properties?.metrics ?? []).flatMap((line) => {
      const [namespace, name, ...rest] = line;
      if (!isCustom(namespace) || typeof name !== 'string') return [];
      const pairs = rest.filter((item) => typeof item === 'string') as string[];
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i] as string] = pairs[i + 1] as string;
      return [key(namespace, name, dimensions)];
    }),
  );

/** The namespace and `service` dimension each function of the template publishes under (POWERTOOLS_*). */
export const functionMetricIdentities = (template: Template): Array<{ namespace: string; service: string }> =>
  Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => {
    const variables = fn.Properties.Environment.Variables as Record<string, string>;
    return {
      namespace: variables.POWERTOOLS_METRICS_NAMESPACE as string,
      service: variables.POWERTOOLS_SERVICE_NAME as string,
    };
  });
