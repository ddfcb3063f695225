/**
 * Refuses context keys this app does not read. A misspelt key (`-c mksClusterArn=…`) used to be ignored,
 * so a deploy quietly created a function without Kafka mappings; now it stops synthesis with a suggestion.
 */

/** Keys without a prefix that the CDK CLI itself keeps in context (cdk.json, ~/.cdk.json). */
const CDK_OWN_KEYS = ['acknowledged-issue-numbers', 'notices', 'cli-telemetry'] as const;
const CDK_OWN_PREFIXES = ['@aws-cdk/', 'aws:cdk:', 'aws-cdk:', 'cdk-'] as const;

/**
 * Feature flags (`@aws-cdk/core:…`), CLI switches (`aws:cdk:…`) and cached lookups
 * (`availability-zones:account=…:region=…`) all carry a `:` or `/`; none of this app's keys does.
 */
export const isCdkOwnKey = (key: string): boolean =>
  key.includes(':') ||
  key.includes('/') ||
  CDK_OWN_PREFIXES.some((prefix) => key.startsWith(prefix)) ||
  (CDK_OWN_KEYS as readonly string[]).includes(key);

/** Optimal string alignment distance: Levenshtein plus swapping two neighbours (`mks` → `msk`) as one edit. */
export const editDistance = (a: string, b: string): number => {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      const row = d[i];
      if (row !== undefined) row[j] = best;
    }
  }
  return at(a.length, b.length);
};

/**
 * The known key a typo most likely meant, compared without case, or undefined when none is close: at most
 * a third of the key's length in edits (two for short keys), so `stage` does not suggest `stockModel`.
 */
export const nearestKey = (key: string, known: readonly string[]): string | undefined => {
  const budget = Math.max(2, Math.floor(key.length / 3));
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= budget && (best === undefined || distance < best.distance)) {
      best = { key: candidate, distance };
    }
  }
  return best?.key;
};

/** The keys of `context` that are neither this app's nor the CDK's own, in the order given. */
export const unknownContextKeys = (keys: readonly string[], known: readonly string[]): string[] =>
  keys.filter((key) => !known.includes(key) && !isCdkOwnKey(key));

/** The one-line refusal for an unknown key: what is wrong and what to write instead. */
export const unknownKeyMessage = (key: string, known: readonly string[]): string => {
  const suggestion = nearestKey(key, known);
  return suggestion === undefined
    ? 'is not a setting of this app; remove it (docs/deploy-context.md lists every setting)'
    : `is not a setting of this app; did you mean "${suggestion}"?`;
};
