import Big from 'big.js';
import { accountRootIndex, isLowAccount, rippleStateIndex } from '../ledger-keys.js';
import type { HistoryTx } from '../simulator/fake-rippled/tx-shapes.js';
import type { Rng } from '../simulator/rng.js';
import { demoAddress } from './config.js';
import { type DemoLedgerSource, ledgerSize, STARTING_DROPS } from './source.js';

type Json = Record<string, unknown>;

// Protocol facts (xrpl-protocol.md §2; rippled LedgerFormats.h / TxFlags.h).
const ACCOUNT_ONE = 'rrrrrrrrrrrrrrrrrrrrBZbvji'; // RippleState Balance "issuer" placeholder
const TF_PARTIAL_PAYMENT = 0x00020000;
const LSF_LOW_RESERVE = 0x00010000;
const LSF_HIGH_RESERVE = 0x00020000;
const FEE_DROPS = 12n;
const TRUST_LIMIT = '1000000000';

/** The made-up parties of synthetic transactions: customers paying the demo accounts, one token issuer. */
export const SYNTHETIC_ISSUER = demoAddress('issuer');
export const SYNTHETIC_CUSTOMERS: readonly string[] = [1, 2, 3, 4].map((i) => demoAddress(`customer-${i}`));
export const SYNTHETIC_CURRENCIES: readonly string[] = ['USD', 'EUR'];
/** Customers are funded far beyond what years of demo payments spend. */
const CUSTOMER_DROPS = 10n ** 15n;
const CUSTOMER_TOKENS = new Big('1e12');

/**
 * Transactions synthesised by code, for when no fixture directory is available (the Docker image): XRP
 * payments, token payments and partial token payments from customers to the demo accounts. The metadata
 * is what rippled would write for them: AccountRoot ModifiedNodes with Balance and Sequence changes
 * (the fee burnt from the sender), RippleState ModifiedNodes with the Balance from the low account's side,
 * `DeliveredAmount` on partial payments (the server adds `delivered_amount`), real ledger entry ids, nodes
 * sorted by LedgerIndex. Balances and sequences carry over from one transaction to the next.
 */
export class SyntheticLedger implements DemoLedgerSource {
  readonly kind = 'synthetic';
  readonly startingBalances: ReadonlyMap<string, bigint>;
  private readonly xrp = new Map<string, bigint>();
  private readonly sequences = new Map<string, number>();
  /** Token holdings, from the holder's side, keyed `holder:currency` (issuer is SYNTHETIC_ISSUER). */
  private readonly holdings = new Map<string, Big>();

  constructor(
    private readonly accounts: readonly string[],
    private readonly rng: Rng,
  ) {
    for (const a of accounts) this.xrp.set(a, STARTING_DROPS);
    this.startingBalances = new Map(this.xrp);
    for (const c of SYNTHETIC_CUSTOMERS) {
      this.xrp.set(c, CUSTOMER_DROPS);
      this.sequences.set(c, 1 + rng.int(1000));
      for (const currency of SYNTHETIC_CURRENCIES) this.holdings.set(`${c}:${currency}`, CUSTOMER_TOKENS);
    }
  }

  nextLedger(): HistoryTx[] {
    return Array.from({ length: ledgerSize(this.rng) }, () => this.nextTransaction());
  }

  nextTransaction(): HistoryTx {
    const from = this.rng.pick(SYNTHETIC_CUSTOMERS);
    const to = this.rng.pick(this.accounts);
    const roll = this.rng.next();
    if (roll < 0.55) return this.xrpPayment(from, to);
    return this.tokenPayment(from, to, this.rng.pick(SYNTHETIC_CURRENCIES), roll >= 0.85);
  }

  private xrpPayment(from: string, to: string): HistoryTx {
    // Mostly up to 400 XRP; now and then a large one (over the demo's 1000 XRP alert threshold).
    const whole = this.rng.chance(0.06) ? 1000 + this.rng.int(3000) : 1 + this.rng.int(400);
    const drops = BigInt(whole) * 1_000_000n + BigInt(this.rng.int(1_000_000));
    const tx: Json = { ...this.envelope(from, to), Amount: drops.toString() };
    const nodes = [this.senderRoot(from, drops + FEE_DROPS), this.xrpChange(to, drops)];
    return this.finish(tx, nodes, null);
  }

  private tokenPayment(from: string, to: string, currency: string, partial: boolean): HistoryTx {
    const requested = new Big(1 + this.rng.int(2000)).plus(new Big(this.rng.int(100)).div(100));
    // A partial payment delivers 50-95% of Amount (limited here by SendMax, as a thin path would).
    const delivered = partial
      ? requested
          .times(50 + this.rng.int(46))
          .div(100)
          .round(2)
      : requested;
    const amount = (value: Big) => ({ currency, issuer: SYNTHETIC_ISSUER, value: value.toString() });
    const tx: Json = {
      ...this.envelope(from, to),
      Amount: amount(requested),
      ...(partial ? { Flags: TF_PARTIAL_PAYMENT, SendMax: amount(delivered) } : {}),
    };
    const nodes = [
      this.senderRoot(from, FEE_DROPS),
      this.holdingChange(from, currency, delivered.neg()),
      this.holdingChange(to, currency, delivered),
    ];
    return this.finish(tx, nodes, partial ? amount(delivered) : null);
  }

  private envelope(from: string, to: string): Json {
    const sequence = this.sequences.get(from) ?? 1;
    return {
      TransactionType: 'Payment',
      Account: from,
      Destination: to,
      Fee: FEE_DROPS.toString(),
      Flags: 0,
      Sequence: sequence,
      ...(this.rng.chance(0.5) ? { DestinationTag: 1 + this.rng.int(99_999) } : {}),
    };
  }

  /** The sender's AccountRoot: pays `drops` (amount and fee), and its Sequence moves on. */
  private senderRoot(account: string, drops: bigint): Json {
    const sequence = this.sequences.get(account) ?? 1;
    this.sequences.set(account, sequence + 1);
    const node = this.xrpChange(account, -drops);
    const modified = node.ModifiedNode as Json;
    (modified.FinalFields as Json).Sequence = sequence + 1;
    (modified.PreviousFields as Json).Sequence = sequence;
    return node;
  }

  private xrpChange(account: string, delta: bigint): Json {
    const before = this.xrp.get(account) ?? 0n;
    const after = before + delta;
    this.xrp.set(account, after);
    return {
      ModifiedNode: {
        LedgerEntryType: 'AccountRoot',
        LedgerIndex: accountRootIndex(account),
        FinalFields: {
          Account: account,
          Balance: after.toString(),
          Flags: 0,
          OwnerCount: SYNTHETIC_CURRENCIES.length,
          Sequence: this.sequences.get(account) ?? 1,
        },
        PreviousFields: { Balance: before.toString() },
      },
    };
  }

  /** The holder's trust line to the issuer; RippleState Balance is positive when the low account holds. */
  private holdingChange(holder: string, currency: string, delta: Big): Json {
    const key = `${holder}:${currency}`;
    const before = this.holdings.get(key) ?? new Big(0);
    const after = before.plus(delta);
    this.holdings.set(key, after);
    const holderIsLow = isLowAccount(holder, SYNTHETIC_ISSUER);
    const [low, high] = holderIsLow ? [holder, SYNTHETIC_ISSUER] : [SYNTHETIC_ISSUER, holder];
    const lineBalance = (held: Big) => ({
      currency,
      issuer: ACCOUNT_ONE,
      value: (holderIsLow ? held : held.neg()).toString(),
    });
    return {
      ModifiedNode: {
        LedgerEntryType: 'RippleState',
        LedgerIndex: rippleStateIndex(holder, SYNTHETIC_ISSUER, currency),
        FinalFields: {
          Balance: lineBalance(after),
          Flags: holderIsLow ? LSF_LOW_RESERVE : LSF_HIGH_RESERVE,
          LowLimit: { currency, issuer: low, value: holderIsLow ? TRUST_LIMIT : '0' },
          HighLimit: { currency, issuer: high, value: holderIsLow ? '0' : TRUST_LIMIT },
          LowNode: '0',
          HighNode: '0',
        },
        PreviousFields: { Balance: lineBalance(before) },
      },
    };
  }

  private finish(tx: Json, nodes: Json[], deliveredAmount: Json | null): HistoryTx {
    const indexOf = (node: Json) => String((Object.values(node)[0] as Json).LedgerIndex);
    const meta: Json = {
      AffectedNodes: [...nodes].sort((a, b) => indexOf(a).localeCompare(indexOf(b))),
      TransactionResult: 'tesSUCCESS',
      ...(deliveredAmount ? { DeliveredAmount: deliveredAmount } : {}),
    };
    return { tx, meta, hash: this.rng.hex(32) };
  }
}
