import { type Duration, Validations } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** Lets esbuild's ESM output load CommonJS dependencies that call `require`. */
const ESM_REQUIRE_BANNER = 'import{createRequire}from"module";const require=createRequire(import.meta.url);';

export interface HandlerFunctionProps {
  /** Absolute path of the handler module under lambda/. */
  readonly entry: string;
  /** Absolute path of the lockfile esbuild resolves dependencies against. */
  readonly depsLockFilePath: string;
  readonly description: string;
  readonly memorySizeMb: number;
  readonly timeout: Duration;
  /** Built by the caller with exactly the actions this handler calls. */
  readonly role: IRole;
  readonly logGroup: ILogGroup;
  readonly environment: Readonly<Record<string, string>>;
  readonly reservedConcurrency?: number;
  /** Stable CloudFormation logical id, so `sam local invoke` and events/sam-env.json can name the function. */
  readonly logicalId: string;
}

/**
 * A handler of this project as Lambda runs it: Node.js 22 on arm64, bundled by the local esbuild as minified
 * ESM with source maps and names kept and the SDK versions the tests ran against. Every function of the stack is built
 * here, so they cannot drift apart in runtime, architecture, bundling or logging.
 */
export const handlerFunction = (
  scope: Construct,
  id: string,
  props: HandlerFunctionProps,
): NodejsFunction => {
  const fn = new NodejsFunction(scope, id, {
    entry: props.entry,
    handler: 'handler',
    depsLockFilePath: props.depsLockFilePath,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySizeMb,
    timeout: props.timeout,
    role: props.role,
    logGroup: props.logGroup,
    ...(props.reservedConcurrency === undefined
      ? {}
      : { reservedConcurrentExecutions: props.reservedConcurrency }),
    description: props.description,
    environment: { ...props.environment },
    bundling: {
      format: OutputFormat.ESM,
      target: 'node22',
      minify: true,
      // Error classes name themselves from new.target.name: without this, logs say `qs:` for `ConfigError:`.
      keepNames: true,
      sourceMap: true,
      mainFields: ['module', 'main'],
      banner: ESM_REQUIRE_BANNER,
      // Ship the SDK versions the tests ran against instead of whatever the runtime preinstalls.
      bundleAwsSDK: true,
    },
  });
  (fn.node.defaultChild as CfnFunction).overrideLogicalId(props.logicalId);
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'Node.js 22 is the runtime the handler bundle targets (esbuild target node22); upgrade both together.',
  });
  return fn;
};
