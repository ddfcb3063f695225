/**
 * How a Kafka value came to be JSON. It decides how a decimal's bytes may be spelled, the one thing the
 * JSON itself cannot tell apart (see docs/schema-registry.md).
 */
export const ValueRendering = {
  /** Kafka Connect's JsonConverter (with or without schemas): bytes are base64. */
  CONNECT_JSON: 'connect-json',
  /**
   * Converted by the mapping's schema registry integration (`EventRecordFormat: JSON`) without union
   * wrappers: bytes may be base64 or Avro JSON byte strings, decimals may also be numbers or strings.
   */
  REGISTRY_PLAIN: 'registry-plain',
  /** Avro's own JSON encoding (union wrappers seen): bytes are strings of one U+0000..U+00FF char per byte. */
  AVRO_JSON: 'avro-json',
} as const;

export type ValueRendering = (typeof ValueRendering)[keyof typeof ValueRendering];

/** What the record and the configuration say about the value before it is parsed. */
export interface RenderingHint {
  /** The mapping converts values through a schema registry (record metadata or configuration says so). */
  readonly registry: boolean;
}

export const CONNECT_HINT: RenderingHint = { registry: false };
