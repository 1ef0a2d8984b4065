export {
  assetKey,
  decodeCurrency,
  dropsToXrp,
  formatValue,
} from './amounts.js';
export { analyzeTransaction } from './analyze.js';
export { type ExplainAccount, type ExplainAmount, type ExplainOutput, explainJson } from './explain.js';
export type { AccountEffect, Asset, AssetAmount, TxAnalysis, WatchSet } from './types.js';
