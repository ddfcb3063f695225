import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS } from '../../infra/stack-config.js';

const DOC = readFileSync(new URL('../../docs/deploy-context.md', import.meta.url), 'utf8');

describe('docs/deploy-context.md', () => {
  it.each(CONTEXT_KEYS)('documents context key %s in a table row', (key) => {
    // Act
    const row = DOC.split('\n').find((line) => line.startsWith('|') && line.includes(`\`${key}\``));

    // Assess
    expect(row, `no table row names \`${key}\``).toBeDefined();
  });
});
