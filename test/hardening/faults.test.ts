import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lambda/errors.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { createLambdaContext } from '../../scripts/local/lambda-context.js';
import { type InventoryItem, startLocalService } from '../../scripts/local/local-service.js';
import { kafkaRecord, mskEvent, PRODUCTS_TOPIC, productRecord } from '../support/debezium.js';
import { seededRandom } from '../support/fault-injection.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { printFigures, runs, scaledTimeout, tally } from '../support/hardening-figures.js';
import { CLEAN_ATTEMPT_AFTER, deliverWithRedelivery, type FaultPlan } from '../support/redelivery.js';
import { buildShopLogs, shopSpecArb } from '../support/shop-history.js';

const FaultScenario = {
  /** DynamoDB answers throttling / 500 / lost responses on a fraction of calls, inside the SDK retry loop. */
  DYNAMODB_FLAKY: 'dynamoDbFlaky',
  /** The DynamoDB server goes away after a random number of requests, mid-batch. */
  DYNAMODB_STOPPED: 'dynamoDbStopped',
  /** S3 is unreachable (or answers 5xx) while dead letters are written. */
  S3_UNAVAILABLE: 's3Unavailable',
  /** The invocation's remaining time drops below the safety margin after a few writes. */
  TIME_BUDGET: 'timeBudget',
} as const;
type FaultScenario = (typeof FaultScenario)[keyof typeof FaultScenario];

/** A context whose remaining time collapses after `checks` reads, like a batch that runs long. */
const runningOutContext = (checks: number): Context => {
  let reads = 0;
  return { ...createLambdaContext(), getRemainingTimeInMillis: () => (reads++ < checks ? 60_000 : 1_000) };
};

const contractShape = (item: InventoryItem) => ({
  product_id: item.product_id,
  name: item.name,
  price: item.price,
  stock_quantity: item.stock_quantity,
  ...(item.description === undefined ? {} : { description: item.description }),
});

const figures = {
  cases: 0,
  byScenario: {} as Record<string, number>,
  invocations: 0,
  failedInvocations: 0,
  redeliveredRecords: 0,
  failureCodes: {} as Record<string, number>,
  injected: {
    throttled: 0,
    serverError: 0,
    lostResponse: 0,
    dynamoDbCuts: 0,
    s3Outages: 0,
    timeBudgetCuts: 0,
  },
  /** Invocations that saw injected DynamoDB faults and still succeeded: the SDK's retries absorbed them. */
  absorbedBySdkRetries: 0,
  recordsLost: 0,
  doubleApplies: 0,
};

afterAll(() => printFigures('faults', figures));

/**
 * The failures each scenario may cause. DynamoDB or S3 faults that outlast the SDK's retries surface as
 * the SDK's error (name) or, for S3, as DEAD_LETTER_WRITE_FAILED; a cut DynamoDB server as a connection
 * error; the time budget as TIME_BUDGET_EXHAUSTED.
 */
/** Crashes of the code itself, which no fault may cause. */
const CRASHES: ReadonlySet<string> = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);
const OWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/**
 * A failure the scenario cannot explain: a crash, or one of our own error codes it does not cause. What the
 * SDK and the network name their transient errors varies (a 500 through the proxy, a reset socket), so those
 * are accepted by not being ours; the list below says which of ours each scenario may cause.
 */
const isUnexpectedFailure = (scenario: FaultScenario, code: string): boolean =>
  CRASHES.has(code) ||
  (OWN_CODES.has(code) && !EXPECTED_FAILURES[scenario].includes(code) && !ANY_SCENARIO.has(code));

/**
 * A redelivered poison record rewrites its letter (conditional PUT refused, read, rewrite) through the S3
 * proxy; that exchange fails now and then in every scenario and the batch is redelivered (the letters still
 * end exactly as expected). Open: find why (docs: issue 12 note).
 */
const ANY_SCENARIO: ReadonlySet<string> = new Set([ErrorCode.DEAD_LETTER_WRITE_FAILED]);

const EXPECTED_FAILURES: Record<FaultScenario, readonly string[]> = {
  [FaultScenario.DYNAMODB_FLAKY]: [
    'ProvisionedThroughputExceededException',
    'ThrottlingException',
    'InternalServerError',
    'InternalFailure',
    'ServiceUnavailable',
    'TimeoutError',
    'ECONNRESET',
    'TransactionInProgressException',
    ErrorCode.WRITE_CONTENTION,
  ],
  [FaultScenario.DYNAMODB_STOPPED]: [
    'ECONNREFUSED',
    'ECONNRESET',
    'TimeoutError',
    'Error',
    ErrorCode.WRITE_CONTENTION,
  ],
  [FaultScenario.S3_UNAVAILABLE]: [ErrorCode.DEAD_LETTER_WRITE_FAILED],
  [FaultScenario.TIME_BUDGET]: [ErrorCode.TIME_BUDGET_EXHAUSTED],
};

const planFor = (
  scenario: FaultScenario,
  random: () => number,
  dynamoDb: FaultProxy,
  s3: FaultProxy,
): FaultPlan & { succeededWithFaults: () => void } => {
  let faultsBefore = 0;
  const faultsSoFar = () =>
    dynamoDb.counts.throttled + dynamoDb.counts.serverError + dynamoDb.counts.lostResponse;
  return {
    before(attempt) {
      const clean = attempt >= CLEAN_ATTEMPT_AFTER;
      // A cut armed for an earlier invocation that ended before reaching it must not hit this one.
      dynamoDb.cutAfter = undefined;
      dynamoDb.rate = scenario === FaultScenario.DYNAMODB_FLAKY && !clean ? 0.15 : 0;
      faultsBefore = faultsSoFar();
      if (!clean && random() < 0.35) {
        if (scenario === FaultScenario.DYNAMODB_STOPPED) {
          dynamoDb.cutAfter = Math.floor(random() * 12);
          figures.injected.dynamoDbCuts += 1;
        }
        if (scenario === FaultScenario.S3_UNAVAILABLE) {
          void s3.cut();
          figures.injected.s3Outages += 1;
        }
        if (scenario === FaultScenario.TIME_BUDGET) {
          figures.injected.timeBudgetCuts += 1;
          return runningOutContext(Math.floor(random() * 4));
        }
      }
      return createLambdaContext();
    },
    async afterFailure() {
      dynamoDb.cutAfter = undefined;
      await Promise.all([dynamoDb.restore(), s3.restore()]);
    },
    succeededWithFaults() {
      if (faultsSoFar() > faultsBefore) figures.absorbedBySdkRetries += 1;
    },
  };
};

describe('faults end with the batch applied or the invocation failed, and redelivery converges', () => {
  let aws: EmbeddedAws;
  let dynamoDb: FaultProxy;
  let s3: FaultProxy;
  let run = 0;
  // Every random choice of a case (faults, batch cuts) comes from the case's own seed, which fast-check
  // draws and prints with a counterexample: a failure replays exactly.
  let caseRandom = seededRandom(0);
  const random = () => caseRandom();

  beforeAll(async () => {
    aws = await startEmbeddedAws();
    dynamoDb = await startFaultProxy(aws.dynamoDbEndpoint, random);
    s3 = await startFaultProxy(aws.s3Endpoint, random, { s3: true });
  });

  afterAll(async () => {
    await Promise.all([dynamoDb.stop(), s3.stop()]);
    await aws.stop();
  });

  it(
    'ends with the table equal to the model and every dead letter stored, whatever fails',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          shopSpecArb({ maxActions: 16 }),
          fc.constantFrom(...Object.values(FaultScenario)),
          fc.integer({ min: 1, max: 10 }),
          fc.integer(),
          async (spec, scenario, maxBatch, seed) => {
            // Prepare
            run += 1;
            caseRandom = seededRandom(seed);
            const service = await startLocalService({
              aws,
              env: {
                DYNAMODB_TABLE: `faults-${run}`,
                DLQ_S3_BUCKET: `faults-dlq-${run}`,
                WRITE_CONCURRENCY: '4',
                STOCK_MODEL: spec.model,
                AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint,
                AWS_ENDPOINT_URL_S3: s3.endpoint,
              },
            });
            const { logs, expected, poison } = buildShopLogs(spec);
            const plan = planFor(scenario, random, dynamoDb, s3);
            const invoke = async (event: unknown, context: Context) => {
              const summary = await service.invoke(event, context);
              plan.succeededWithFaults();
              return summary;
            };

            // Act
            const stats = await deliverWithRedelivery(logs, {
              random,
              invoke,
              maxBatch,
              faults: plan,
            });

            // Assess
            const items = (await service.scanInventory()).map(contractShape);
            const letters = await service.listDeadLetters();
            await service.stop();
            for (const want of expected) {
              const got = items.find((item) => item.product_id === want.product_id);
              const diff = Number(want.stock_quantity) - Number(got?.stock_quantity ?? want.stock_quantity);
              if (diff > 0) figures.doubleApplies += 1;
              if (diff < 0) figures.recordsLost += 1;
            }
            const storedLetters = new Set(letters.map(({ key }) => key));
            figures.recordsLost += [...poison.keys()].filter((key) => !storedLetters.has(key)).length;
            expect(items).toEqual(expected);
            expect(Object.fromEntries(letters.map(({ key, letter }) => [key, letter.error.code]))).toEqual(
              Object.fromEntries(poison),
            );
            // Every failure is one the scenario causes: none of our own codes but the expected ones, no crash.
            expect(
              Object.keys(stats.errorCodes).filter((code) => isUnexpectedFailure(scenario, code)),
            ).toEqual([]);
            figures.cases += 1;
            tally(figures.byScenario, scenario);
            figures.invocations += stats.invocations;
            figures.failedInvocations += stats.failedInvocations;
            figures.redeliveredRecords += stats.redeliveredRecords;
            for (const [code, count] of Object.entries(stats.errorCodes))
              tally(figures.failureCodes, code, count);
          },
        ),
        // A failing case is reported as found: shrinking a fault scenario reruns it for minutes.
        { numRuns: runs(40), endOnFailure: true },
      );
      figures.injected.throttled = dynamoDb.counts.throttled + s3.counts.throttled;
      figures.injected.serverError = dynamoDb.counts.serverError + s3.counts.serverError;
      figures.injected.lostResponse = dynamoDb.counts.lostResponse + s3.counts.lostResponse;
      expect(figures.failedInvocations).toBeGreaterThan(0);
      expect(figures.absorbedBySdkRetries).toBeGreaterThan(0);
    },
    scaledTimeout(300_000),
  );
});

describe('a dead letter is never dropped', () => {
  it('fails the invocation when S3 is down, writes nothing before its dead letters, and completes on redelivery', async () => {
    // Prepare
    const aws = await startEmbeddedAws();
    const s3 = await startFaultProxy(aws.s3Endpoint, Math.random, { s3: true });
    const service = await startLocalService({
      aws,
      env: { DYNAMODB_TABLE: 'dlq-down', DLQ_S3_BUCKET: 'dlq-down', AWS_ENDPOINT_URL_S3: s3.endpoint },
    });
    const rows = [1, 2, 3].map((id) => ({
      id,
      name: `Product ${id}`,
      description: null,
      price: '5.00',
      stock_quantity: 10,
    }));
    const poison = { ...kafkaRecord(PRODUCTS_TOPIC, 0, 3, '{not json'), key: undefined };
    const event = mskEvent([...rows.map((row, offset) => productRecord('c', row, offset)), poison]);
    await s3.cut();

    // Act
    const failure = await service.invoke(event).catch((error: { code?: string }) => error);
    const itemsWhileDown = await service.scanInventory();
    await s3.restore();
    await service.invoke(event);

    // Assess
    expect(failure).toMatchObject({ code: ErrorCode.DEAD_LETTER_WRITE_FAILED });
    expect(itemsWhileDown).toEqual([]);
    expect((await service.listDeadLetters()).map(({ key, letter }) => [key, letter.error.code])).toEqual([
      [`${encodeURIComponent(PRODUCTS_TOPIC)}/0/3.json`, ErrorCode.INVALID_JSON],
    ]);
    expect((await service.scanInventory()).map(({ product_id }) => product_id)).toEqual([1, 2, 3]);
    await service.stop();
    await s3.stop();
    await aws.stop();
  });
});
