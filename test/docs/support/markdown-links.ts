/**
 * Finds relative links in Markdown that do not resolve: a file or folder that does not exist, or a `#anchor`
 * that names no heading of the target page (headings turned into anchors the way GitHub does it).
 * Pure apart from the two lookups it is given, so the checker itself can be tested on samples.
 */
import { dirname, extname, join, normalize } from 'node:path';

export interface MarkdownLink {
  /** As written between the parentheses (or after a reference definition's colon). */
  readonly target: string;
  /** 1-based line of the link in its file. */
  readonly line: number;
}

export interface DeadLink extends MarkdownLink {
  readonly file: string;
  readonly reason: string;
}

export interface LinkLookups {
  /** Whether a path (relative to the repository root) is an existing file or folder. */
  readonly exists: (path: string) => boolean;
  /** The text of a Markdown file (relative to the repository root). */
  readonly read: (path: string) => string;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const INLINE_LINK = /!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/;
const INLINE_CODE = /`+[^`]*`+/g;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The lines of a Markdown text outside fenced code blocks, with their 1-based numbers. */
const proseLines = (markdown: string): { text: string; line: number }[] => {
  const lines: { text: string; line: number }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, index) => {
    const marker = FENCE.exec(text)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker;
      else if (marker.startsWith(fence)) fence = undefined;
      return;
    }
    if (fence === undefined) lines.push({ text, line: index + 1 });
  });
  return lines;
};

/** Every inline link, image and reference definition outside code blocks and code spans. */
export const extractLinks = (markdown: string): MarkdownLink[] =>
  proseLines(markdown).flatMap(({ text, line }) => {
    const definition = REFERENCE_DEFINITION.exec(text);
    if (definition?.[1] !== undefined) return [{ target: definition[1], line }];
    const prose = text.replace(INLINE_CODE, '');
    return [...prose.matchAll(INLINE_LINK)].map((match) => ({ target: match[1] ?? '', line }));
  });

/** GitHub's anchor for a heading: lower case, punctuation dropped (letters, digits, `_`, `-` kept), spaces → `-`. */
export const githubSlug = (heading: string): string =>
  heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');

/** The anchors of a page's headings; a repeated heading gets `-1`, `-2`, … as on GitHub. */
export const headingAnchors = (markdown: string): Set<string> => {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = HEADING.exec(text)?.[2];
    if (heading === undefined) continue;
    const slug = githubSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
};

const isRelative = (target: string): boolean =>
  target !== '' && !SCHEME.test(target) && !target.startsWith('//');

/** The dead relative links of one Markdown file (`file` relative to the repository root). */
export const findDeadLinks = (file: string, lookups: LinkLookups): DeadLink[] => {
  const markdown = lookups.read(file);
  return extractLinks(markdown).flatMap((link): DeadLink[] => {
    if (!isRelative(link.target)) return [];
    const [rawPath = '', anchor] = link.target.split('#', 2);
    const path = decodeURI(rawPath);
    const resolved = path === '' ? file : normalize(join(dirname(file), path));
    if (resolved.startsWith('..'))
      return [{ ...link, file, reason: `${resolved} is outside the repository` }];
    if (!lookups.exists(resolved)) return [{ ...link, file, reason: `${resolved} does not exist` }];
    if (anchor === undefined || anchor === '' || extname(resolved) !== '.md') return [];
    return headingAnchors(lookups.read(resolved)).has(anchor)
      ? []
      : [{ ...link, file, reason: `${resolved} has no heading #${anchor}` }];
  });
};
