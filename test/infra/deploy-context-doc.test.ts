import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS } from '../../infra/stack-config.js';

const DOC = readFileSync(new URL('../../docs/deploy-context.md', import.meta.url), 'utf8');

/** The text of one `## ` section, up to the next. */
const section = (title: string): string => {
  const start = DOC.indexOf(`\n## ${title}\n`);
  if (start < 0) return '';
  const end = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, end < 0 ? undefined : end);
};

describe('docs/deploy-context.md', () => {
  it.each(CONTEXT_KEYS)('documents context key %s in a table row', (key) => {
    // Act
    const row = DOC.split('\n').find((line) => line.startsWith('|') && line.includes(`\`${key}\``));

    // Assess
    expect(row, `no table row names \`${key}\``).toBeDefined();
  });

  it('changes a starting position, timestamp or consumer group in two deploys, detachMappings first', () => {
    // Act
    const steps = section('Changing where the mappings start');

    // Assess
    for (const key of ['startingPosition', 'startingPositionTimestamp', 'consumerGroupPrefix']) {
      expect(steps).toContain(`\`${key}\``);
    }
    expect(steps).toMatch(/1\. `npx cdk deploy -c detachMappings=true/);
    expect(steps).toMatch(/2\. `npx cdk deploy …` with the same settings, without `detachMappings`/);
    // The one-deploy advice this replaces: a new prefix "creates new mappings" while the old ones still exist.
    expect(DOC).not.toContain('the new prefix creates new mappings');
  });
});
