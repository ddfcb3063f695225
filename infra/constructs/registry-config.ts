import {
  EventRecordFormat,
  type IEventSourceMapping,
  type IFunction,
  type ISchemaRegistry,
  KafkaSchemaRegistryAccessConfigType,
  type KafkaSchemaRegistryConfig,
  KafkaSchemaValidationAttribute,
} from 'aws-cdk-lib/aws-lambda';
import type { SchemaRegistry } from '../kafka-config.js';

/**
 * A mapping's SchemaRegistryConfig that grants nothing: Lambda decodes Avro or Protobuf values (and keys, if
 * asked) through the registry and hands the function JSON.
 *
 * aws-cdk-lib's GlueSchemaRegistry and ConfluentSchemaRegistry add their grants to the function's default
 * policy (the Confluent one `secret.grantRead`, which adds DescribeSecret); KafkaEventSources grants the
 * named actions in its own EventSourceAccess policy instead, next to the rest of what the pollers use.
 */
export class UngrantedSchemaRegistry implements ISchemaRegistry {
  constructor(private readonly registry: SchemaRegistry) {}

  public bind(_target: IEventSourceMapping, _targetHandler: IFunction): KafkaSchemaRegistryConfig {
    const registry = this.registry;
    return {
      schemaRegistryUri: registry.kind === 'glue' ? registry.registryArn : registry.url,
      eventRecordFormat: EventRecordFormat.JSON,
      schemaValidationConfigs: [
        { attribute: KafkaSchemaValidationAttribute.VALUE },
        ...(registry.validateKeys ? [{ attribute: KafkaSchemaValidationAttribute.KEY }] : []),
      ],
      ...(registry.kind === 'confluent' && registry.secretArn !== undefined
        ? {
            accessConfigs: [
              { type: KafkaSchemaRegistryAccessConfigType.BASIC_AUTH, uri: registry.secretArn },
            ],
          }
        : {}),
    };
  }
}

/** The Glue ARNs a registry's schema versions live under: `arn:…:schema/<registry name>/*`. */
export const glueSchemaArns = (registryArn: string): string => {
  const [prefix, name] = registryArn.split(':registry/');
  if (prefix === undefined || name === undefined) throw new Error(`not a Glue registry ARN: ${registryArn}`);
  return `${prefix}:schema/${name}/*`;
};
