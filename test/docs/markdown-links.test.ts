import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  extractLinks,
  findDeadLinks,
  githubSlug,
  headingAnchors,
  type LinkLookups,
} from './support/markdown-links.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SAMPLE = 'test/docs/fixtures/links-sample.md';
const repository: LinkLookups = {
  exists: (path) => existsSync(join(ROOT, path)),
  read: (path) => readFileSync(join(ROOT, path), 'utf8'),
};

describe('githubSlug', () => {
  it('turns headings into the anchors GitHub gives them', () => {
    // Arrange
    const headings = [
      '4. Stock models (`STOCK_MODEL`)',
      '5. The lag bound (`LAG_BOUND_HOURS`, default 192)',
      'Run the function locally with `sam local invoke`',
      'Cutover from the Python inventory-service',
      'What it costs — roughly',
    ];

    // Act
    const slugs = headings.map(githubSlug);

    // Assess
    expect(slugs).toEqual([
      '4-stock-models-stock_model',
      '5-the-lag-bound-lag_bound_hours-default-192',
      'run-the-function-locally-with-sam-local-invoke',
      'cutover-from-the-python-inventory-service',
      'what-it-costs--roughly',
    ]);
  });
});

describe('headingAnchors', () => {
  it('numbers repeated headings and ignores lines in code blocks', () => {
    // Arrange
    const markdown = '# Title\n\n## Repeated\n\n## Repeated\n\n```sh\n# not a heading\n```\n';

    // Act
    const anchors = headingAnchors(markdown);

    // Assess
    expect([...anchors]).toEqual(['title', 'repeated', 'repeated-1']);
  });
});

describe('extractLinks', () => {
  it('finds inline links, images and reference definitions, not links in code', () => {
    // Act
    const targets = extractLinks(repository.read(SAMPLE)).map((link) => link.target);

    // Assess
    expect(targets).toEqual([
      'links-target.md',
      'links-target.md#stock-models-stock_model',
      '#a-sample-page',
      '#repeated-1',
      'https://example.com/missing.md',
      'missing-page.md',
      'links-target.md#no-such-heading',
      'images/missing.png',
      './also-missing.md',
    ]);
  });
});

describe('findDeadLinks', () => {
  it('reports exactly the missing files and headings of a sample, with their lines', () => {
    // Act
    const dead = findDeadLinks(SAMPLE, repository);

    // Assess
    expect(dead.map(({ target, line, reason }) => ({ target, line, reason }))).toEqual([
      { target: 'missing-page.md', line: 10, reason: 'test/docs/fixtures/missing-page.md does not exist' },
      {
        target: 'links-target.md#no-such-heading',
        line: 10,
        reason: 'test/docs/fixtures/links-target.md has no heading #no-such-heading',
      },
      {
        target: 'images/missing.png',
        line: 12,
        reason: 'test/docs/fixtures/images/missing.png does not exist',
      },
      { target: './also-missing.md', line: 14, reason: 'test/docs/fixtures/also-missing.md does not exist' },
    ]);
  });

  it('refuses a link that climbs out of the repository', () => {
    // Arrange
    const lookups: LinkLookups = { exists: () => true, read: () => '[up](../../outside.md)' };

    // Act
    const dead = findDeadLinks('docs/page.md', lookups);

    // Assess
    expect(dead.map((link) => link.reason)).toEqual(['../outside.md is outside the repository']);
  });
});
