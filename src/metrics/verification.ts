import { Counter, type Registry } from 'prom-client';
import { BlockExposition, type FamilyDescription } from './block-exposition.js';
import type { DeflatedSegment } from './gzip.js';
import { escapeLabelValue } from './labels.js';

/** The accounts whose series exist: one per configured account, labelled like the payment metrics. */
export interface LabelledAccount {
  readonly address: string;
  readonly name: string;
}

export const VERIFICATION_FAMILIES = {
  breaks: {
    name: 'xrpl_verification_breaks_total',
    type: 'counter',
    help: 'Breaks found in an account’s transaction thread (a transaction the exporter had not processed).',
  },
  unverified: {
    name: 'xrpl_account_unverified',
    type: 'gauge',
    help: '1 while a break in the account’s transaction thread is not repaired, else 0.',
  },
  verifiedLedger: {
    name: 'xrpl_account_verified_ledger',
    type: 'gauge',
    help: 'Last ledger up to which the account’s transaction thread is proved complete.',
  },
} as const satisfies Record<string, FamilyDescription>;

/** One account's verification figures; absent while all are 0. */
interface AccountVerification {
  breaks: number;
  unverified: boolean;
  verifiedLedger: number;
  /** Bumped on every change, higher than any before (the exposition caches blocks by it). */
  revision: number;
}

const f = VERIFICATION_FAMILIES;

function renderAccount(labels: string, v: AccountVerification | undefined): string[] {
  return [
    `${f.breaks.name}{${labels}} ${v?.breaks ?? 0}`,
    `${f.unverified.name}{${labels}} ${v?.unverified ? 1 : 0}`,
    `${f.verifiedLedger.name}{${labels}} ${v?.verifiedLedger ?? 0}`,
  ];
}

/**
 * Self-verification and network identity metrics (spec "Self-verification, repair and network
 * identity"). The three per-account families have a series for every configured account: with
 * 100,000 accounts, prom-client's label objects and its serialisation on every scrape cost about 3 s
 * per scrape and tens of megabytes, so they are rendered like the payment families, in cached
 * compressed blocks (`segments`), from figures kept only for accounts where one is not 0.
 */
export function declareVerificationMetrics(registry: Registry) {
  const registers = [registry];
  const repaired = new Counter({
    name: 'xrpl_verification_repaired_transactions_total',
    help: 'Missing transactions fetched and processed to repair a break.',
    registers,
  });
  const serversRefused = new Counter({
    name: 'xrpl_servers_refused_total',
    help: 'Refusal episodes of a server (from its first refusal until it passes the check again), by reason (network_id: it reports another network).',
    labelNames: ['server', 'reason'] as const,
    registers,
  });
  repaired.inc(0);
  let accounts: readonly LabelledAccount[] = [];
  /** Configured accounts by address, with their names. */
  let watched = new Map<string, string>();
  /** Accounts whose xrpl_account_unverified is 1: few, so the status page reads them without a scrape. */
  const unverifiedNow = new Set<string>();
  const figures = new Map<string, AccountVerification>();
  let revision = 0;
  const exposition = new BlockExposition<LabelledAccount, AccountVerification>({
    families: Object.values(VERIFICATION_FAMILIES),
    labels: (a) => `account="${escapeLabelValue(a.address)}",name="${escapeLabelValue(a.name)}"`,
    view: (a) => figures.get(a.address),
    render: renderAccount,
    first: false,
  });
  /** Applies a change to a configured account's figures; false (and nothing done) for any other. */
  const change = (account: string, apply: (v: AccountVerification) => void): boolean => {
    if (!watched.has(account)) return false;
    let v = figures.get(account);
    if (!v) {
      v = { breaks: 0, unverified: false, verifiedLedger: 0, revision: 0 };
      figures.set(account, v);
    }
    apply(v);
    v.revision = ++revision;
    return true;
  };
  return {
    /** Series for these accounts appear at 0; removed accounts' series disappear (a renamed one restarts). */
    setAccounts(next: readonly LabelledAccount[]): void {
      for (const a of next)
        if (watched.has(a.address) && watched.get(a.address) !== a.name) figures.delete(a.address);
      watched = new Map(next.map((a) => [a.address, a.name]));
      for (const account of figures.keys()) if (!watched.has(account)) figures.delete(account);
      for (const account of unverifiedNow) if (!watched.has(account)) unverifiedNow.delete(account);
      accounts = next;
    },
    incBreaks(account: string, n = 1): void {
      change(account, (v) => {
        v.breaks += n;
      });
    },
    incRepaired(n = 1): void {
      repaired.inc(n);
    },
    setAccountState(account: string, state: { unverified: boolean; verifiedLedger: number }): void {
      const changed = change(account, (v) => {
        v.unverified = state.unverified;
        v.verifiedLedger = state.verifiedLedger;
      });
      if (!changed) return;
      if (state.unverified) unverifiedNow.add(account);
      else unverifiedNow.delete(account);
    },
    /** The xrpl_account_unverified series at 1, as labels: what `== 1` selects, without reading the rest. */
    unverifiedSeries(): { labels: { account: string; name: string }; value: number }[] {
      return [...unverifiedNow].map((account) => ({
        labels: { account, name: watched.get(account) ?? account },
        value: 1,
      }));
    },
    incServerRefused(server: string, reason: string): void {
      serversRefused.inc({ server, reason });
    },
    /** The per-account families, every configured account's series, as cached compressed segments. */
    segments(): DeflatedSegment[] {
      return exposition.segments(accounts);
    },
  };
}

export type VerificationMetrics = ReturnType<typeof declareVerificationMetrics>;
