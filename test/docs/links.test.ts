import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDeadLinks, type LinkLookups } from './support/markdown-links.js';

const ROOT = join(import.meta.dirname, '..', '..');
const repository: LinkLookups = {
  exists: (path) => existsSync(join(ROOT, path)),
  read: (path) => readFileSync(join(ROOT, path), 'utf8'),
};

const markdownUnder = (folder: string): string[] =>
  readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(folder, name))
    .sort();

const PAGES = ['README.md', 'CHANGELOG.md', ...markdownUnder('docs')];

describe('relative links in README.md, CHANGELOG.md and docs/', () => {
  it('checks the pages a reader starts from', () => {
    // Assess
    expect(PAGES).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/design.md',
        'docs/operations.md',
        'docs/deploy.md',
        'docs/testing.md',
      ]),
    );
  });

  it('catches a dead link in a page like these (the checker is not vacuous)', () => {
    // Arrange
    const lookups: LinkLookups = {
      exists: (path) => path === 'docs/design.md' || repository.exists(path),
      read: (path) =>
        path === 'docs/page.md'
          ? 'See [design](design.md#no-such-section) and [setup](setup.md).'
          : repository.read(path),
    };

    // Act
    const dead = findDeadLinks('docs/page.md', lookups);

    // Assess
    expect(dead.map((link) => link.reason)).toEqual([
      'docs/design.md has no heading #no-such-section',
      'docs/setup.md does not exist',
    ]);
  });

  it.each(PAGES)('%s links only to files and headings that exist', (page) => {
    // Act
    const dead = findDeadLinks(page, repository);

    // Assess
    expect(dead.map((link) => `${page}:${link.line} ${link.target}: ${link.reason}`)).toEqual([]);
  });
});
