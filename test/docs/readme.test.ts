import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** Issue 14: a README a newcomer reads in one sitting; the rest lives in docs/. */
const README_MAX_BYTES = 20 * 1024;
const GUIDES = [
  'docs/design.md',
  'docs/operations.md',
  'docs/deploy.md',
  'docs/testing.md',
  'docs/cutover.md',
];
const PAGES = ['README.md', 'CHANGELOG.md', ...GUIDES];

describe('README.md', () => {
  it('stays short enough to read in one sitting', () => {
    // Act
    const bytes = statSync(join(ROOT, 'README.md')).size;

    // Assess
    expect(bytes).toBeLessThanOrEqual(README_MAX_BYTES);
  });

  it('maps the guides', () => {
    // Arrange
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

    // Assess
    expect(GUIDES.filter((guide) => !readme.includes(`](${guide})`))).toEqual([]);
  });
});

describe('README.md, CHANGELOG.md and the guides', () => {
  it('name the old service "the Python inventory-service", never "the seed"', () => {
    // Act
    const mentions = PAGES.filter((page) => /\bthe seed\b/i.test(readFileSync(join(ROOT, page), 'utf8')));

    // Assess
    expect(mentions).toEqual([]);
  });
});
