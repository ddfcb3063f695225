import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** A value that is itself an option (`--table --json`) is a forgotten value, not a table named `--json`. */
const looksLikeOption = (value: string, options: Options): boolean =>
  value.startsWith('--') ||
  Object.values(options).some((option) => option.short !== undefined && value === `-${option.short}`);

/**
 * Checks the command line token by token, so that every mistake is one UsageError line of ours; node's strict
 * mode would add its own hints over several lines (`--partition -1` is "ambiguous", `--bogus` suggests `--`).
 * Returns the arguments rewritten as `--name=value`, which strict parsing then takes without doubt.
 */
const checkedArgs = (argv: readonly string[], options: Options, allowPositionals: boolean): string[] => {
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const flags: string[] = [];
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (!allowPositionals) throw new UsageError(`unexpected argument '${token.value}'`);
      positionals.push(token.value);
      continue;
    }
    const option = options[token.name];
    if (option === undefined) throw new UsageError(`unknown option '${token.rawName}'`);
    if (option.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
      flags.push(`--${token.name}`);
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && looksLikeOption(token.value, options))) {
      throw new UsageError(`${token.rawName} needs a value`);
    }
    flags.push(`--${token.name}=${token.value}`);
  }
  return positionals.length === 0 ? flags : [...flags, '--', ...positionals];
};

/**
 * `node:util` parseArgs, strict, with every tool's `-h/--help`; an unknown option, a missing value or a stray
 * argument becomes a one-line UsageError (exit code 2). `-1` after an option is its value (`--partition -1`),
 * for the tool to judge.
 */
export const parseCommandLine = <T extends Options, P extends boolean = false>(
  argv: readonly string[],
  options: T,
  allowPositionals?: P,
) => {
  const all = { ...options, ...HELP_OPTION } as T & typeof HELP_OPTION;
  return parseArgs({
    args: checkedArgs(argv, all, allowPositionals ?? false),
    strict: true,
    allowPositionals: allowPositionals ?? false,
    options: all,
  });
};
