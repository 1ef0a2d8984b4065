import { setFlagsFromString } from 'node:v8';

/**
 * From this many watched accounts on, memory is what limits a deployment (100,000 accounts must fit
 * in 300 MB), not CPU (the XRP Ledger sends tens of transactions a second).
 */
const LARGE_DEPLOYMENT_ACCOUNTS = 10_000;

/**
 * Tells V8 to favour memory over speed for a large deployment. With 100,000 accounts V8's default
 * heap growth kept the resident size near 350 MB for a live heap of about 110 MB; with
 * --optimize-for-size it stays near 250 MB (docs/performance.md). It costs about 8% more CPU per
 * transaction, which a small deployment need not pay. The flag is read by V8's heap sizing as it runs,
 * so setting it once the account count is known works (it cannot be a NODE_OPTIONS flag).
 * Returns whether it was set.
 */
export function favourMemoryForLargeDeployments(accounts: number): boolean {
  if (accounts < LARGE_DEPLOYMENT_ACCOUNTS) return false;
  setFlagsFromString('--optimize-for-size');
  return true;
}
