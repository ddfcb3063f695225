import { Attr } from '../../lambda/store/attributes.js';
import type { InventoryItem } from '../../scripts/local/local-service.js';

const ISO = /^([+-]\d{6}|\d{4})-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
/** epoch (4), tier (1), two LSNs (16 each) in hex; the source-time fallback adds time (12) and offset (16). */
const POSITION = /^[0-9a-f]{37}([0-9a-f]{28})?$/;
/** Every attribute the service writes; anything else on an item came from somewhere it should not. */
const ATTRIBUTES: ReadonlySet<string> = new Set(Object.values(Attr));

/**
 * What is wrong with a scanned item (empty when nothing): the seed's attributes with their types, our
 * bookkeeping with its types, nothing else. An item written from hostile input must still pass.
 */
export const itemShapeProblems = (item: InventoryItem): string[] => {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(`${String(item.product_id)}: ${what}`);
  };
  check(Number.isSafeInteger(item.product_id) && Number(item.product_id) > 0, 'product_id');
  check(typeof item.name === 'string', 'name');
  check(item.description === undefined || typeof item.description === 'string', 'description');
  check(typeof item.price === 'string' && DECIMAL.test(item.price), 'price');
  check(Number.isSafeInteger(item.stock_quantity), 'stock_quantity');
  check(typeof item.last_updated === 'string' && ISO.test(item.last_updated), 'last_updated');
  check(Number.isSafeInteger(item.cdc_timestamp), 'cdc_timestamp');
  check(typeof item.cdc_position === 'string' && POSITION.test(item.cdc_position), 'cdc_position');
  check(Number.isSafeInteger(item.source_stock), 'source_stock');
  check(
    item.stock_position === undefined ||
      (typeof item.stock_position === 'string' && POSITION.test(item.stock_position)),
    'stock_position',
  );
  for (const name of Object.keys(item)) check(ATTRIBUTES.has(name), `unexpected attribute ${name}`);
  return problems;
};
