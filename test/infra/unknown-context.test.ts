import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, StackConfigError } from '../../infra/stack-config.js';
import {
  editDistance,
  isCdkOwnKey,
  nearestKey,
  unknownContextKeys,
  unknownKeyMessage,
} from '../../infra/unknown-context.js';
import { buildStack, MSK_CLUSTER_ARN } from './stack-fixture.js';

describe('editDistance', () => {
  it.each<[string, string, number]>([
    ['mskClusterArn', 'mskClusterArn', 0],
    ['mksClusterArn', 'mskClusterArn', 1],
    ['batchsize', 'batchSize', 1],
    ['tableNam', 'tableName', 1],
    ['', 'stage', 5],
    ['kitten', 'sitting', 3],
  ])('counts %s → %s as %i edits, a swap of neighbours as one', (a, b, distance) => {
    // Act
    const result = editDistance(a, b);

    // Assess
    expect(result).toBe(distance);
  });
});

describe('nearestKey', () => {
  it.each<[string, string]>([
    ['mksClusterArn', 'mskClusterArn'],
    ['batchsize', 'batchSize'],
    ['bootstrapServer', 'bootstrapServers'],
    ['alarmEmial', 'alarmEmail'],
    ['Stage', 'stage'],
  ])('suggests the setting %s most likely meant: %s', (typo, meant) => {
    // Act
    const suggestion = nearestKey(typo, CONTEXT_KEYS);

    // Assess
    expect(suggestion).toBe(meant);
  });

  it('suggests nothing for a key unlike every setting', () => {
    // Act
    const suggestion = nearestKey('replicas', CONTEXT_KEYS);

    // Assess
    expect(suggestion).toBeUndefined();
  });
});

describe('unknownContextKeys', () => {
  it('leaves out the keys the CDK keeps in context itself', () => {
    // Prepare
    const keys = [
      '@aws-cdk/core:target-partitions',
      'aws:cdk:enable-path-metadata',
      'aws-cdk:enableDiffNoFail',
      'cdk-toolkit-version',
      'acknowledged-issue-numbers',
      'availability-zones:account=123456789012:region=eu-west-1',
      'mskClusterArn',
      'mksClusterArn',
    ];

    // Act
    const unknown = unknownContextKeys(keys, CONTEXT_KEYS);

    // Assess
    expect(unknown).toEqual(['mksClusterArn']);
    expect(isCdkOwnKey('stage')).toBe(false);
  });
});

describe('strict context', () => {
  it('refuses a misspelt key with the nearest setting, in one line naming both', () => {
    // Act
    const act = () => buildStack({ mksClusterArn: MSK_CLUSTER_ARN });

    // Assess
    expect(act).toThrow(StackConfigError);
    expect(act).toThrow(
      'context "mksClusterArn" is not a setting of this app; did you mean "mskClusterArn"?',
    );
    expect(act).toThrow(expect.objectContaining({ key: 'mksClusterArn' }));
  });

  it('refuses a key unlike any setting and says where the settings are listed', () => {
    // Act
    const act = () => buildStack({ replicas: '3' });

    // Assess
    expect(act).toThrow(`context "replicas" ${unknownKeyMessage('replicas', CONTEXT_KEYS)}`);
    expect(act).toThrow(/docs\/deploy-context\.md/);
  });

  it('accepts the feature flags and CLI switches the CDK adds to context', () => {
    // Act
    const act = () =>
      buildStack(
        { mskClusterArn: MSK_CLUSTER_ARN },
        { cliContext: { 'aws:cdk:enable-path-metadata': true, 'acknowledged-issue-numbers': [32775] } },
      );

    // Assess
    expect(act).not.toThrow();
  });
});
