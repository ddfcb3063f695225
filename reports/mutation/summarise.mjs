// Turns Stryker's JSON reports (mutation-testing-report-schema) into reports/mutation/summary.md: the score
// per file and every surviving or uncovered mutant with its line. Usage:
//   node reports/mutation/summarise.mjs reports/mutation/mutation.json [more.json ...] > reports/mutation/summary.md
// An argument that is a folder is read as the event-recorder reporter's output (one file per tested mutant,
// written as the run goes), so a run stopped before its end still tells what it tested.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const files = {};
/** Mutants a stopped run planned but never tested, by file (event-recorder folders only). */
const untested = {};
const fromEvents = (folder) => {
  const byFile = {};
  const plan = readdirSync(folder).find((n) => n.endsWith('-onMutationTestingPlanReady.json'));
  const planned = plan === undefined ? [] : JSON.parse(readFileSync(join(folder, plan), 'utf8')).mutantPlans;
  for (const name of readdirSync(folder).filter((n) => n.endsWith('-onMutantTested.json'))) {
    const mutant = JSON.parse(readFileSync(join(folder, name), 'utf8'));
    const file = relative(process.cwd(), mutant.fileName);
    byFile[file] ??= { mutants: [] };
    byFile[file].mutants.push(mutant);
  }
  const tested = new Set(
    Object.values(byFile).flatMap(({ mutants }) => mutants.map((m) => `${m.fileName}#${m.id}`)),
  );
  for (const { mutant } of planned) {
    if (tested.has(`${mutant.fileName}#${mutant.id}`)) continue;
    const file = relative(process.cwd(), mutant.fileName);
    untested[file] = (untested[file] ?? 0) + 1;
  }
  return byFile;
};
for (const path of process.argv.slice(2)) {
  Object.assign(
    files,
    statSync(path).isDirectory() ? fromEvents(path) : JSON.parse(readFileSync(path, 'utf8')).files,
  );
}

const score = (mutants) => {
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  const valid = mutants.filter((m) => DETECTED.has(m.status) || UNDETECTED.has(m.status)).length;
  return { detected, valid, percent: valid === 0 ? 100 : (100 * detected) / valid };
};
const count = (mutants, status) => mutants.filter((m) => m.status === status).length;

const names = Object.keys(files).sort();
const all = names.flatMap((name) => files[name].mutants);
const total = score(all);
const lines = [
  `# Mutation summary`,
  '',
  `Mutation score (killed + timed out) / (killed + timed out + survived + no coverage): **${total.percent.toFixed(2)} %** (${total.detected}/${total.valid}) over ${names.length} files.`,
  '',
  '| file | score | killed | timeout | survived | no coverage | ignored/errors | not tested (run stopped) |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...names.map((name) => {
    const mutants = files[name].mutants;
    const s = score(mutants);
    const other = mutants.length - s.valid;
    return `| ${name} | ${s.percent.toFixed(1)} % | ${count(mutants, 'Killed')} | ${count(mutants, 'Timeout')} | ${count(mutants, 'Survived')} | ${count(mutants, 'NoCoverage')} | ${other} | ${untested[name] ?? 0} |`;
  }),
  ...Object.entries(untested)
    .filter(([name]) => !(name in files))
    .sort()
    .map(([name, n]) => `| ${name} | not reached | | | | | | ${n} |`),
  '',
  '## Surviving and uncovered mutants',
  '',
];
for (const name of names) {
  const left = files[name].mutants.filter((m) => UNDETECTED.has(m.status));
  if (left.length === 0) continue;
  lines.push(`### ${name}`, '');
  left.sort(
    (a, b) =>
      a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column,
  );
  for (const m of left) {
    const replacement = (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100).replaceAll('|', '\\|');
    lines.push(
      `- line ${m.location.start.line}: ${m.mutatorName} → \`${replacement}\`${m.status === 'NoCoverage' ? ' (no coverage)' : ''}`,
    );
  }
  lines.push('');
}
process.stdout.write(`${lines.join('\n')}\n`);
