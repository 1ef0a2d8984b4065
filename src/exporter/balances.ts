import Big from 'big.js';
import type { Requester } from '../backfill/index.js';
import { forEachLimited } from '../concurrency.js';
import type { Logger } from '../log.js';

const XRP_DROPS = new Big(1_000_000);

/**
 * Which ledger each known balance (account and asset) comes from, so a starting balance read with
 * `account_info` never overwrites a newer one taken from transaction metadata.
 */
export class BalanceClock {
  private readonly ledgerOf = new Map<string, number>();

  /** True (and recorded) when a balance as of `ledger` is at least as new as what we have. */
  advance(account: string, asset: string, ledger: number): boolean {
    const key = `${account}|${asset}`;
    const known = this.ledgerOf.get(key);
    if (known !== undefined && known > ledger) return false;
    this.ledgerOf.set(key, ledger);
    return true;
  }
}

/**
 * Reads the XRP balance of each account with `account_info` on the validated ledger, `concurrency`
 * requests in flight. An unfunded account (`actNotFound`) has no balance yet; other errors are logged
 * and the metadata will fill the balance in on the account's next transaction.
 */
export async function fetchStartingBalances(
  server: Requester,
  accounts: readonly string[],
  concurrency: number,
  apply: (account: string, xrp: Big, ledger: number) => void,
  logger: Logger,
): Promise<void> {
  let failures = 0;
  await forEachLimited(accounts, concurrency, async (account) => {
    try {
      const result = (await server.request({
        command: 'account_info',
        account,
        ledger_index: 'validated',
      })) as {
        account_data?: { Balance?: unknown };
        ledger_index?: unknown;
      };
      const drops = result.account_data?.Balance;
      const ledger = result.ledger_index;
      if (typeof drops !== 'string' || !/^\d{1,18}$/.test(drops) || typeof ledger !== 'number') {
        throw new Error('account_info answer without account_data.Balance and ledger_index');
      }
      apply(account, new Big(drops).div(XRP_DROPS), ledger);
    } catch (err) {
      if ((err as { error?: unknown }).error === 'actNotFound') return;
      failures++;
      if (failures <= 5) logger.warn('starting balance unavailable', { account, err });
    }
  });
  if (failures > 5) logger.warn('starting balances unavailable for more accounts', { failures });
}
