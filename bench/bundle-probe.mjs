// Runs in a fresh `node` process, without tsx or vitest loaded, so that what it measures is the built
// function alone: `node bench/bundle-probe.mjs <dist/handler.mjs> [event.json]`.
// Prints one line `BENCH_PROBE {...}`: the module's init time, and with an event, the peak RSS of one
// invocation (including parsing the event JSON, as the Lambda runtime does in the same process).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundlePath, eventPath] = process.argv.slice(2);
const started = performance.now();
const { handler } = await import(pathToFileURL(bundlePath).href);
const initMs = performance.now() - started;
const result = { initMs, maxRssAfterInitMb: process.resourceUsage().maxRSS / 1024 };

if (eventPath !== undefined) {
  const deadline = Date.now() + 900_000;
  const context = {
    functionName: 'inventory-cdc-bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:inventory-cdc-bench',
    memoryLimitInMB: '1024',
    awsRequestId: 'bench-probe',
    logGroupName: '/aws/lambda/inventory-cdc-bench',
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
  const event = JSON.parse(readFileSync(eventPath, 'utf8'));
  const invocationStarted = performance.now();
  const summary = await handler(event, context);
  result.invocationMs = performance.now() - invocationStarted;
  result.records = summary.counts.RecordsProcessed;
  result.deadLetters = summary.deadLetterKeys.length;
  result.maxRssMb = process.resourceUsage().maxRSS / 1024;
}
process.stdout.write(`\nBENCH_PROBE ${JSON.stringify(result)}\n`);
