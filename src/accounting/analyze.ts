import { formatValue, InvalidInputError, parseDrops } from './amounts.js';
import { type Envelope, type JsonObject, openEnvelope } from './envelope.js';
import { collectLedgerChanges } from './ledger-changes.js';
import { decodeMemos } from './memos.js';
import { accountFigures } from './receipts.js';
import type { AccountEffect, AssetAmount, TxAnalysis, WatchSet } from './types.js';

// Payment flag tfPartialPayment (xrpl-protocol.md §2, "delivered_amount").
const TF_PARTIAL_PAYMENT = 0x00020000;
// Transaction field SponsorFlags bit tfSponsorFee: the Sponsor pays the fee (XLS-68 §7.1.1.2).
const TF_SPONSOR_FEE = 0x00000001;
const UINT32_MAX = 0xffffffff;

/** What could be learnt about a transaction before its input turned out to be invalid. */
interface Draft {
  hash: string | null;
  ledgerIndex: number | null;
  transactionType: string | null;
  result: string | null;
  validated: boolean;
  closeTime: number | null;
  sender: string | null;
  destinationTag: number | null;
  partialPayment: boolean;
  /** The transaction's own fields once found: names the accounts to report when nothing else can. */
  tx: JsonObject | null;
  /** The envelope once opened. */
  envelope: Envelope | null;
}

/**
 * Classifies one transaction in any envelope for the watched accounts: balance changes per asset,
 * the fee each paid, what each received and whether it counts. Never throws: input that cannot be
 * understood gives `valid: false` with the reason, and nothing counted.
 */
export function analyzeTransaction(input: unknown, watched: WatchSet): TxAnalysis {
  return analyzeEnvelope(input, watched).analysis;
}

/**
 * analyzeTransaction, with the envelope it opened (null when the input is not one), for a caller that
 * reads more of the envelope (the transaction path): it is opened once per transaction, not twice.
 */
export function analyzeEnvelope(
  input: unknown,
  watched: WatchSet,
): { readonly analysis: TxAnalysis; readonly envelope: Envelope | null } {
  const draft: Draft = {
    hash: null,
    ledgerIndex: null,
    transactionType: null,
    result: null,
    validated: false,
    closeTime: null,
    sender: null,
    destinationTag: null,
    partialPayment: false,
    tx: null,
    envelope: null,
  };
  let analysis: TxAnalysis;
  try {
    analysis = analyze(input, watched, draft);
  } catch (error) {
    const why = error instanceof InvalidInputError ? error.message : `unexpected input: ${String(error)}`;
    analysis = invalid(draft, watched, why);
  }
  return { analysis, envelope: draft.envelope };
}

function analyze(input: unknown, watched: WatchSet, draft: Draft): TxAnalysis {
  const envelope = openEnvelope(input);
  draft.envelope = envelope;
  const { tx, meta } = envelope;
  draft.hash = envelope.hash;
  draft.ledgerIndex = envelope.ledgerIndex;
  draft.validated = envelope.validated;
  draft.closeTime = envelope.closeTime;
  draft.transactionType = typeof tx.TransactionType === 'string' ? tx.TransactionType : null;
  draft.sender = typeof tx.Account === 'string' ? tx.Account : null;
  draft.destinationTag = uint32(tx.DestinationTag);
  draft.partialPayment =
    draft.transactionType === 'Payment' &&
    typeof tx.Flags === 'number' &&
    (tx.Flags & TF_PARTIAL_PAYMENT) !== 0;
  draft.tx = tx;

  if (meta === null) return proposed(envelope, draft, watched);
  const result = meta.TransactionResult;
  if (typeof result !== 'string') throw new InvalidInputError('metadata has no TransactionResult');
  draft.result = result;

  const fee = tx.Fee === undefined ? 0n : parseDrops(tx.Fee, 'Fee');
  const ledger = collectLedgerChanges(meta, watched);
  const payer = ledger.feeFromSponsorshipPool ? null : feePayer(tx);
  const notCounted = !envelope.validated
    ? 'not validated'
    : result !== 'tesSUCCESS'
      ? `failed: ${result}`
      : null;

  const accounts: AccountEffect[] = [];
  for (const entry of ledger.accounts.values()) {
    // The fee is taken from the payer's AccountRoot; without that node nothing was taken from it.
    const feePaidDrops = entry.account === payer && entry.accountRootSeen ? fee : 0n;
    const figures = accountFigures(entry, feePaidDrops);
    const counted = notCounted === null && figures.received.length > 0;
    let reason: string;
    if (notCounted !== null) reason = `not counted: ${notCounted}`;
    else if (counted) reason = `counted: received ${describeAmounts(figures.received)}`;
    else if (figures.rippledThrough)
      reason =
        'not counted: nothing received (value rippled through: net change per currency is not positive)';
    else reason = 'not counted: nothing received';
    if (counted && draft.partialPayment) reason += ' (partial payment: tfPartialPayment)';
    accounts.push({
      account: entry.account,
      balanceChanges: figures.balanceChanges,
      feePaidDrops,
      balancesAfter: figures.balancesAfter,
      // `received` lists what is counted (spec "explain, made consistent"): nothing when not counted.
      received: counted ? figures.received : [],
      counted,
      reason,
    });
  }
  return finish(draft, accounts);
}

/** The account whose XRP pays the fee: a Delegate, a fee Sponsor, or the sender (xrpl-protocol.md §3). */
function feePayer(tx: JsonObject): string | null {
  if (typeof tx.Delegate === 'string') return tx.Delegate;
  if (
    typeof tx.Sponsor === 'string' &&
    typeof tx.SponsorFlags === 'number' &&
    (tx.SponsorFlags & TF_SPONSOR_FEE) !== 0
  ) {
    return tx.Sponsor;
  }
  return typeof tx.Account === 'string' ? tx.Account : null;
}

/** An unvalidated (proposed) message has no metadata: report the watched accounts it names. */
function proposed(envelope: Envelope, draft: Draft, watched: WatchSet): TxAnalysis {
  draft.result = envelope.engineResult;
  return finish(
    draft,
    mentionedWatched(draft.tx, watched).map((account) => emptyEffect(account, 'not counted: not validated')),
  );
}

function invalid(draft: Draft, watched: WatchSet, why: string): TxAnalysis {
  const reason = `not counted: invalid input: ${why}`;
  return finish(
    draft,
    mentionedWatched(draft.tx, watched).map((account) => emptyEffect(account, reason)),
    why,
  );
}

function finish(draft: Draft, accounts: AccountEffect[], invalidReason?: string): TxAnalysis {
  const analysis: TxAnalysis = {
    valid: invalidReason === undefined,
    hash: draft.hash,
    ledgerIndex: draft.ledgerIndex,
    transactionType: draft.transactionType,
    result: draft.result,
    validated: draft.validated,
    closeTime: draft.closeTime,
    sender: draft.sender,
    destinationTag: draft.destinationTag,
    partialPayment: draft.partialPayment,
    // Decoded only for what is counted (emails, the status page): the hot path skips the rest.
    memos: accounts.some((a) => a.counted) ? safely(() => decodeMemos(draft.tx)) : [],
    accounts,
  };
  return invalidReason === undefined ? analysis : { ...analysis, invalidReason };
}

function safely(read: () => string[]): string[] {
  try {
    return read();
  } catch {
    return []; // a throwing getter in hostile input
  }
}

function emptyEffect(account: string, reason: string): AccountEffect {
  return {
    account,
    balanceChanges: [],
    feePaidDrops: 0n,
    balancesAfter: [],
    received: [],
    counted: false,
    reason,
  };
}

function mentionedWatched(tx: JsonObject | null, watched: WatchSet): string[] {
  const mentioned: string[] = [];
  if (tx === null) return mentioned;
  try {
    for (const account of [tx.Account, tx.Destination]) {
      if (typeof account !== 'string' || mentioned.includes(account)) continue;
      if (watched === 'all' || watched.has(account)) mentioned.push(account);
    }
  } catch {
    // Reading hostile input again (a throwing getter) must not throw out of the module.
  }
  return mentioned;
}

function uint32(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= UINT32_MAX
    ? value
    : null;
}

function describeAmounts(amounts: readonly AssetAmount[]): string {
  return amounts
    .map(({ asset, value }) => {
      const text = formatValue(value);
      if (asset.kind === 'xrp') return `${text} XRP`;
      if (asset.kind === 'token') return `${text} ${asset.currency} (issuer ${asset.issuer})`;
      return `${text} of MPT ${asset.mptIssuanceId}`;
    })
    .join(', ');
}
