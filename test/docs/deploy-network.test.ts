import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DEPLOY = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'deploy.md'), 'utf8');

describe('docs/deploy.md, network prerequisites', () => {
  it.each([
    ['Lambda', 'lambda'],
    ['STS', 'sts'],
    ['S3', 's3'],
    ['Secrets Manager', 'secretsmanager'],
    ['KMS', 'kms'],
    ['AWS Glue', 'glue'],
  ])('lists the %s VPC endpoint the pollers need without a NAT gateway', (_service, name) => {
    // Act
    const prerequisites = DEPLOY.slice(DEPLOY.indexOf('## Prerequisites'), DEPLOY.indexOf('## Synthesize'));

    // Assess
    expect(prerequisites).toContain(`\`com.amazonaws.<region>.${name}\``);
  });
});
