import { InputError } from '../cli/errors.js';

/** One JSON value from an input file: its compact text (numbers kept digit for digit) and its parsed form. */
export interface JsonElement {
  /** Compact JSON text, as Kafka Connect's JsonConverter writes it. */
  readonly text: string;
  readonly value: unknown;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/**
 * Removes insignificant whitespace without parsing numbers: `ts_ns` (above 2^53) and decimals in double mode
 * must reach the Kafka value exactly as the connector wrote them, which JSON.parse + stringify cannot promise.
 */
export const compactJson = (text: string): string => {
  let out = '';
  let inString = false;
  let escaped = false;
  for (const char of text) {
    if (inString) {
      out += char;
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
    } else if (!WHITESPACE.has(char)) {
      out += char;
      if (char === '"') inString = true;
    }
  }
  return out;
};

/** Splits the compact text of a JSON array into the compact texts of its elements. */
const splitCompactArray = (compact: string): string[] => {
  const elements: string[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = 1;
  for (let index = 1; index < compact.length - 1; index++) {
    const char = compact[index];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') depth--;
    else if (char === ',' && depth === 0) {
      elements.push(compact.slice(start, index));
      start = index + 1;
    }
  }
  if (compact.length > 2) elements.push(compact.slice(start, compact.length - 1));
  return elements;
};

const element = (text: string): JsonElement => ({ text, value: JSON.parse(text) });

const parseLines = (text: string, source: string, cause: unknown): JsonElement[] => {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length < 2)
    throw new InputError(`${source}: not valid JSON (${(cause as Error).message})`, { cause });
  return lines.map((line, index) => {
    try {
      return element(compactJson(line));
    } catch (lineCause) {
      throw new InputError(
        `${source}: line ${index + 1} is not valid JSON (${(lineCause as Error).message})`,
        {
          cause: lineCause,
        },
      );
    }
  });
};

/**
 * The change events in one input file: a single JSON value, a JSON array of values, or one value per line
 * (`kcat -J` and `kafka-console-consumer` output).
 */
export const readJsonElements = (text: string, source: string): JsonElement[] => {
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch (cause) {
    return parseLines(text, source, cause);
  }
  const compact = compactJson(text);
  return Array.isArray(whole) ? splitCompactArray(compact).map(element) : [{ text: compact, value: whole }];
};
