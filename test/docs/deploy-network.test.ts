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

describe('docs/deploy.md, sam local invoke', () => {
  it('lists its prerequisites and names the template of a stage', () => {
    // Act
    const start = DEPLOY.indexOf('## Run the function locally with `sam local invoke`');
    const section = DEPLOY.slice(start, DEPLOY.indexOf('\n## ', start + 1)).replace(/\s+/g, ' ');

    // Assess
    for (const tool of ['Docker', 'AWS CLI', 'AWS SAM CLI', 'Java 17']) expect(section).toContain(tool);
    expect(section).toContain('`cdk.out/InventoryService-<stage>.template.json`');
    expect(section).toContain('`LAG_BOUND_HOURS=87600`');
  });
});
