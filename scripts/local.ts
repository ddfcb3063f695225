/**
 * `npm run local`: embedded DynamoDB (AWS's DynamoDB Local) and S3 (s3rver) that stay up, with their data in
 * .local/, until Ctrl-C. `invoke`, `inventory`, `replay` and the other tools with `--endpoint local` find
 * them through .local/session.json and use them, instead of starting empty ones of their own.
 */
import { loadConfig } from '../lambda/config.js';
import { LOCAL_BUCKET } from './cli/aws-connection.js';
import { ensureLocalResources } from './cli/local-resources.js';
import { startEmbeddedAws } from './local/embedded-aws.js';
import {
  findLocalSession,
  LOCAL_DIRECTORY,
  removeLocalSession,
  writeLocalSession,
} from './local/local-session.js';

const main = async (): Promise<void> => {
  const already = await findLocalSession();
  if (already !== undefined) {
    console.error(
      `local: already running (pid ${already.pid}): DynamoDB ${already.dynamoDbEndpoint}, S3 ${already.s3Endpoint}`,
    );
    process.exitCode = 1;
    return;
  }
  // The settings are checked before anything starts (a bad one is one line, not a running JVM).
  const settings = { DLQ_S3_BUCKET: LOCAL_BUCKET, ...process.env };
  loadConfig(settings);
  const aws = await startEmbeddedAws({ dataDirectory: LOCAL_DIRECTORY });
  const config = loadConfig({ ...settings, ...aws.env });
  const stop = async () => {
    await removeLocalSession();
    await aws.stop();
  };
  try {
    await ensureLocalResources(config, aws.dynamoDb, aws.s3);
    await writeLocalSession({
      pid: process.pid,
      dynamoDbEndpoint: aws.dynamoDbEndpoint,
      s3Endpoint: aws.s3Endpoint,
      startedAt: new Date().toISOString(),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  console.log(
    `DynamoDB Local ${aws.dynamoDbEndpoint}, S3 (s3rver) ${aws.s3Endpoint}, data in ${LOCAL_DIRECTORY}`,
  );
  console.log(
    `table ${config.tableName} (ledger ${config.ledgerTableName}), dead-letter bucket ${config.deadLetterBucket}`,
  );
  console.log('Tools with --endpoint local use these until Ctrl-C, for example:');
  console.log('  npm run invoke -- events/products-snapshot.json');
  console.log('  npm run inventory -- --endpoint local');
  console.log('ready');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stop();
  console.log('local: stopped; the data stays in .local/ for the next run');
};

await main();
