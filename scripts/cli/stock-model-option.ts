import { DEFAULTS } from '../../lambda/config.js';
import { STOCK_MODELS, type StockModel } from '../../lambda/inventory/stock-model.js';
import { UsageError } from './errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `--stock-model`, offered by every tool that reads or applies the stock model (invoke, replay, redrive,
 * reconcile, cutover): it must be the deployed function's, so it defaults to STOCK_MODEL like the function.
 */
export const STOCK_MODEL_HELP = `  --stock-model <model>    ${STOCK_MODELS.join('|')} (default STOCK_MODEL, else ${DEFAULTS.stockModel}): the function's model`;

export const parseStockModel = (raw: string | undefined): StockModel | undefined => {
  if (raw === undefined) return undefined;
  if (!(STOCK_MODELS as readonly string[]).includes(raw)) {
    throw new UsageError(`--stock-model must be one of ${STOCK_MODELS.join(', ')}, got '${raw}'`);
  }
  return raw as StockModel;
};

/** The environment the tool's configuration is loaded from, with --stock-model in place of STOCK_MODEL. */
export const withStockModel = (env: Env, stockModel: StockModel | undefined): Env =>
  stockModel === undefined ? env : { ...env, STOCK_MODEL: stockModel };
