/**
 * Pure payment accounting: one transaction in any envelope + the watched accounts in, exact
 * balance changes and receipts per account out (spec "What counts as received", "`explain`
 * output"). No I/O, no clock, never throws.
 */
export { assetKey, decodeCurrency, dropsToXrp, formatValue } from './amounts.js';
export { analyzeEnvelope, analyzeTransaction } from './analyze.js';
export { type ExplainAccount, type ExplainAmount, type ExplainOutput, explainJson } from './explain.js';
export type { AccountEffect, Asset, AssetAmount, TxAnalysis, WatchSet } from './types.js';
