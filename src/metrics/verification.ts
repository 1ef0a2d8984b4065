import { Counter, Gauge, type Registry } from 'prom-client';

/** The accounts whose series exist: one per configured account, labelled like the payment metrics. */
export interface LabelledAccount {
  readonly address: string;
  readonly name: string;
}

/** Self-verification and network identity metrics (spec "Self-verification, repair and network identity"). */
export function declareVerificationMetrics(registry: Registry) {
  const registers = [registry];
  const breaks = new Counter({
    name: 'xrpl_verification_breaks_total',
    help: 'Breaks found in an account’s transaction thread (a transaction the exporter had not processed).',
    labelNames: ['account', 'name'] as const,
    registers,
  });
  const repaired = new Counter({
    name: 'xrpl_verification_repaired_transactions_total',
    help: 'Missing transactions fetched and processed to repair a break.',
    registers,
  });
  const unverified = new Gauge({
    name: 'xrpl_account_unverified',
    help: '1 while a break in the account’s transaction thread is not repaired, else 0.',
    labelNames: ['account', 'name'] as const,
    registers,
  });
  const verifiedLedger = new Gauge({
    name: 'xrpl_account_verified_ledger',
    help: 'Last ledger up to which the account’s transaction thread is proved complete.',
    labelNames: ['account', 'name'] as const,
    registers,
  });
  const serversRefused = new Counter({
    name: 'xrpl_servers_refused_total',
    help: 'Times a server was refused and not used, by reason (network_id: it reports another network).',
    labelNames: ['server', 'reason'] as const,
    registers,
  });
  repaired.inc(0);
  let names = new Map<string, string>();
  const labels = (account: string) => ({ account, name: names.get(account) ?? account });
  return {
    /** Series for these accounts appear at 0; removed accounts' series disappear. */
    setAccounts(accounts: readonly LabelledAccount[]): void {
      const next = new Map(accounts.map((a) => [a.address, a.name]));
      for (const [address, name] of names) {
        if (next.get(address) === name) continue;
        for (const metric of [breaks, unverified, verifiedLedger]) metric.remove({ account: address, name });
      }
      for (const [address, name] of next) {
        if (names.get(address) === name) continue;
        breaks.inc({ account: address, name }, 0);
        unverified.set({ account: address, name }, 0);
        verifiedLedger.set({ account: address, name }, 0);
      }
      names = next;
    },
    incBreaks(account: string, n = 1): void {
      if (names.has(account)) breaks.inc(labels(account), n);
    },
    incRepaired(n = 1): void {
      repaired.inc(n);
    },
    setAccountState(account: string, state: { unverified: boolean; verifiedLedger: number }): void {
      if (!names.has(account)) return;
      unverified.set(labels(account), state.unverified ? 1 : 0);
      verifiedLedger.set(labels(account), state.verifiedLedger);
    },
    incServerRefused(server: string, reason: string): void {
      serversRefused.inc({ server, reason });
    },
  };
}

export type VerificationMetrics = ReturnType<typeof declareVerificationMetrics>;
