import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs, strict, with every tool's `-h/--help`; an unknown option or a missing value becomes a
 * UsageError (exit code 2) carrying parseArgs' own message.
 */
export const parseCommandLine = <T extends Options, P extends boolean = false>(
  argv: readonly string[],
  options: T,
  allowPositionals?: P,
) => {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: allowPositionals ?? false,
      options: { ...options, help: { type: 'boolean', short: 'h' } } as T & {
        help: { type: 'boolean'; short: 'h' };
      },
    });
  } catch (cause) {
    throw new UsageError((cause as Error).message, { cause });
  }
};
