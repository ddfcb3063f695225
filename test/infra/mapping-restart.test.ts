import { Annotations, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DETACHED_MAPPINGS_WARNING } from '../../infra/constructs/kafka-event-sources.js';
import { StackConfigError } from '../../infra/stack-config.js';
import {
  buildStack,
  MSK_CONTEXT,
  SELF_MANAGED_CONTEXT,
  type StackContext,
  templateFor,
} from './stack-fixture.js';

type Properties = Record<string, unknown>;
type Mappings = ReadonlyMap<string, Properties>;

/**
 * The properties of AWS::Lambda::EventSourceMapping that CloudFormation can only set by replacing the
 * mapping: its resource schema's createOnlyProperties (as cfn-lint 1.51 ships it, us-east-1).
 */
const CREATE_ONLY = [
  'EventSourceArn',
  'StartingPosition',
  'StartingPositionTimestamp',
  'SelfManagedEventSource',
];
/**
 * Not create-only for CloudFormation, yet Lambda refuses a new value (Lambda API, AmazonManagedKafkaEventSourceConfig /
 * SelfManagedKafkaEventSourceConfig: "After creating a Kafka event source mapping with the consumer group ID
 * specified, you cannot update this value").
 */
const CONSUMER_GROUP_CONFIGS = ['AmazonManagedKafkaEventSourceConfig', 'SelfManagedKafkaEventSourceConfig'];

/** The template's Kafka mappings (the ledger stream mapping has no Topics) by logical id. */
const kafkaMappings = (template: Template): Mappings =>
  new Map(
    Object.entries(template.findResources('AWS::Lambda::EventSourceMapping'))
      .filter(([, resource]) => resource.Properties.Topics !== undefined)
      .map(([id, resource]) => [id, resource.Properties as Properties]),
  );

/** What Lambda keeps unique: one mapping per function, event source and topics (409 ResourceConflictException). */
const lambdaKey = (mapping: Properties): string =>
  JSON.stringify([
    mapping.FunctionName,
    mapping.EventSourceArn ?? mapping.SelfManagedEventSource,
    mapping.Topics,
  ]);

const differs = (a: Properties, b: Properties, names: readonly string[]): boolean =>
  names.some((name) => JSON.stringify(a[name]) !== JSON.stringify(b[name]));

/**
 * A stack update as CloudFormation runs it, for the Kafka mappings: new and replacing resources are created
 * first, removed and replaced ones deleted in the cleanup phase after every create succeeded. Returns the calls
 * Lambda refuses; an empty list is a clean deploy.
 */
const refusedCalls = (deployed: Mappings, next: Mappings): string[] => {
  const live = new Map([...deployed].map(([id, mapping]) => [id, lambdaKey(mapping)]));
  const refused: string[] = [];
  const create = (id: string, mapping: Properties): void => {
    const clash = [...live].find(([, key]) => key === lambdaKey(mapping));
    if (clash !== undefined)
      refused.push(`create ${id}: a mapping of that function and topic exists (${clash[0]})`);
    else live.set(`${id} (new)`, lambdaKey(mapping));
  };
  for (const [id, mapping] of next) {
    const old = deployed.get(id);
    if (old === undefined) create(id, mapping);
    else if (differs(old, mapping, CREATE_ONLY)) create(id, mapping);
    else if (differs(old, mapping, CONSUMER_GROUP_CONFIGS))
      refused.push(`update ${id}: consumer group changed`);
  }
  return refused;
};

const synth = (context: StackContext): Template => templateFor({ ...MSK_CONTEXT, ...context });

const AT_2025: StackContext = { startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '1735689600' };
const AT_2026: StackContext = { startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '1767225600' };

/** Each changes one create-only setting of the deployed mappings, and nothing else. */
const CHANGES: ReadonlyArray<[string, StackContext, StackContext]> = [
  ['a new starting position', {}, { startingPosition: 'LATEST' }],
  ['a new starting timestamp', AT_2025, AT_2026],
  ['new consumer groups', {}, { consumerGroupPrefix: 'inventory-replay-2026' }],
];

describe('changing where the Kafka mappings start', () => {
  it.each(CHANGES)(
    'fails in one deploy for %s: Lambda refuses the replacing mapping',
    (_case, deployedContext, change) => {
      // Prepare
      const before = kafkaMappings(synth(deployedContext));
      const after = kafkaMappings(synth(change));

      // Act
      const refused = refusedCalls(before, after);

      // Assess
      expect(refused).toHaveLength(2);
    },
  );

  it.each(CHANGES)(
    'deploys %s cleanly in two steps: detachMappings=true, then the new settings',
    (_case, deployedContext, change) => {
      // Prepare
      const deployed = kafkaMappings(synth(deployedContext));

      // Act
      const detached = kafkaMappings(synth({ ...change, detachMappings: 'true' }));
      const reattached = kafkaMappings(synth(change));

      // Assess
      expect(detached.size).toBe(0);
      expect(refusedCalls(deployed, detached)).toEqual([]);
      expect(refusedCalls(detached, reattached)).toEqual([]);
      expect(reattached.size).toBe(2);
      for (const mapping of reattached.values()) {
        expect(mapping).toMatchObject(
          change.consumerGroupPrefix === undefined
            ? {
                StartingPosition: change.startingPosition,
                ...(change.startingPositionTimestamp === undefined
                  ? {}
                  : { StartingPositionTimestamp: Number(change.startingPositionTimestamp) }),
              }
            : {
                AmazonManagedKafkaEventSourceConfig: {
                  ConsumerGroupId: expect.stringMatching(/^inventory-replay-2026-/),
                },
              },
        );
      }
    },
  );

  it('would fail just the same with a logical id derived from the settings: Lambda checks function and topic', () => {
    // Prepare
    const before = kafkaMappings(synth({}));
    const after = kafkaMappings(synth({ startingPosition: 'LATEST' }));

    // Act
    const renamed = new Map([...after].map(([id, mapping]) => [`${id}Latest`, mapping]));

    // Assess: a new logical id is created before the old one is deleted in the cleanup phase.
    expect(refusedCalls(before, renamed)).toHaveLength(2);
  });

  it('keeps each mapping’s logical id, and changes nothing when nothing changed', () => {
    // Prepare
    const first = kafkaMappings(synth({}));

    // Act
    const again = kafkaMappings(synth({}));
    const restarted = kafkaMappings(synth({ startingPosition: 'LATEST' }));

    // Assess
    expect([...again.keys()]).toEqual([...first.keys()]);
    expect([...restarted.keys()]).toEqual([...first.keys()]);
    expect(refusedCalls(first, again)).toEqual([]);
  });

  it.each<[string, StackContext]>([
    ['Amazon MSK', MSK_CONTEXT],
    ['self-managed Kafka', SELF_MANAGED_CONTEXT],
  ])('detaches only the mappings (%s): every other resource stays as deployed', (_case, source) => {
    // Prepare
    const attached = templateFor(source).toJSON().Resources as Record<string, { Type: string }>;

    // Act
    const detached = templateFor({ ...source, detachMappings: 'true' }).toJSON().Resources as Record<
      string,
      { Type: string }
    >;

    // Assess
    const goneIds = Object.keys(attached).filter((id) => detached[id] === undefined);
    const gone = goneIds.map((id) => attached[id]?.Type);
    // Two mappings and their four alarms each (not polling, errors, dropped records, on-failure deliveries).
    expect(gone.sort()).toEqual([
      ...Array(8).fill('AWS::CloudWatch::Alarm'),
      'AWS::Lambda::EventSourceMapping',
      'AWS::Lambda::EventSourceMapping',
    ]);
    for (const [id, resource] of Object.entries(detached)) {
      if (resource.Type === 'AWS::CloudWatch::Dashboard') continue;
      expect(resource, id).toEqual(attached[id]);
    }
  });

  it('warns on synthesis that nothing reads the topics while the mappings are detached', () => {
    // Act
    const { stack } = buildStack({ ...MSK_CONTEXT, detachMappings: 'true' });

    // Assess
    Annotations.fromStack(stack).hasWarning(
      '*',
      `${DETACHED_MAPPINGS_WARNING} [ack: inventory:detached-kafka-mappings]`,
    );
  });

  it('refuses detachMappings without a Kafka source, which has no mappings to detach', () => {
    // Act
    const act = () => buildStack({ detachMappings: 'true' });

    // Assess
    expect(act).toThrow(StackConfigError);
    expect(act).toThrow(/detachMappings/);
  });
});
