/**
 * `npm run local`: embedded DynamoDB (AWS's DynamoDB Local) and S3 (s3rver) that stay up, with their data in
 * .local/, until Ctrl-C. `invoke`, `inventory`, `replay` and the other tools with `--endpoint local` find
 * them through .local/session.json and use them, instead of starting empty ones of their own.
 *
 * It stops whole, whatever ends it: SIGINT, SIGTERM or SIGHUP to it or to npm (npm forwards the first two;
 * npm dying of the third leaves this process with another parent, which it notices), or DynamoDB Local
 * ending. Only one runs per .local/ (local-session.ts's lock).
 */
import { loadConfig } from '../lambda/config.js';
import { LOCAL_BUCKET } from './cli/aws-connection.js';
import type { ExitCode } from './cli/errors.js';
import { ensureLocalResources } from './cli/local-resources.js';
import { parseCommandLine } from './cli/parse-command-line.js';
import { runCli } from './cli/run-cli.js';
import { LOCAL_TOOL } from './cli/service-tools.js';
import { startEmbeddedAws } from './local/embedded-aws.js';
import {
  claimLocalDirectory,
  LOCAL_DIRECTORY,
  LocalStackRunningError,
  removeLocalSession,
  writeLocalSession,
} from './local/local-session.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const PARENT_CHECK_MS = 500;

/** After a hang-up the terminal is gone: a write to it must not keep the stack from stopping. */
const say = (line: string): void => {
  try {
    process.stdout.write(`${line}\n`);
  } catch {
    // Nobody is reading any more.
  }
};

/** Settles with why the stack must stop: a signal, the parent (npm) gone, or DynamoDB Local ended. */
const stopRequested = (): { reason: Promise<string>; forget(): void } => {
  let settle: (reason: string) => void = () => {};
  const reason = new Promise<string>((resolve) => {
    settle = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => settle(signal);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) settle('parent gone');
  }, PARENT_CHECK_MS);
  return {
    reason,
    forget() {
      clearInterval(watch);
      for (const signal of SIGNALS) process.off(signal, onSignal);
    },
  };
};

const main = async (): Promise<number> => {
  process.stdout.on('error', () => {});
  let release: () => Promise<void>;
  try {
    release = await claimLocalDirectory();
  } catch (error) {
    if (!(error instanceof LocalStackRunningError)) throw error;
    process.stderr.write(`local: ${error.message}\n`);
    return 1;
  }
  // Listening from the start: a Ctrl-C while the JVM starts stops it once started, instead of orphaning it.
  const stop = stopRequested();
  try {
    // The settings are checked before anything starts (a bad one is one line, not a running JVM).
    const settings = { DLQ_S3_BUCKET: LOCAL_BUCKET, ...process.env };
    loadConfig(settings);
    const aws = await startEmbeddedAws({ dataDirectory: LOCAL_DIRECTORY });
    try {
      const config = loadConfig({ ...settings, ...aws.env });
      await ensureLocalResources(config, aws.dynamoDb, aws.s3);
      await writeLocalSession({
        pid: process.pid,
        dynamoDbEndpoint: aws.dynamoDbEndpoint,
        s3Endpoint: aws.s3Endpoint,
        dynamoDbPid: aws.dynamoDbPid,
        startedAt: new Date().toISOString(),
      });
      say(
        `DynamoDB Local ${aws.dynamoDbEndpoint}, S3 (s3rver) ${aws.s3Endpoint}, data in ${LOCAL_DIRECTORY}`,
      );
      say(
        `table ${config.tableName} (ledger ${config.ledgerTableName}), dead-letter bucket ${config.deadLetterBucket}`,
      );
      say('Tools with --endpoint local use these until Ctrl-C, for example:');
      say('  npm run invoke -- events/products-snapshot.json');
      say('  npm run inventory -- --endpoint local');
      say('ready');
      const reason = await Promise.race([stop.reason, aws.dynamoDbExited.then(() => 'DynamoDB Local ended')]);
      if (reason === 'DynamoDB Local ended') {
        process.stderr.write(`local: DynamoDB Local (pid ${aws.dynamoDbPid}) ended; stopping\n`);
        return 1;
      }
      return 0;
    } finally {
      await removeLocalSession();
      await aws.stop();
      say('local: stopped; the data stays in .local/ for the next run');
    }
  } finally {
    stop.forget();
    await release();
  }
};

const code = await runCli(LOCAL_TOOL, async (argv) => {
  parseCommandLine(argv, {});
  return (await main()) as ExitCode;
});
// Nothing of the stack is left (the JVM is dead, s3rver closed): end now, whatever handle lingers.
process.exit(code);
