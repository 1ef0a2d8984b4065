import { join, resolve } from 'node:path';
import type { FakeRippled } from '../../src/simulator/fake-rippled.js';
import type { ConfigFile } from './config-file.js';
import { parseExposition, type Sample, sampleValue } from './exposition.js';
import { createRng, scenario, testAccounts } from './history.js';
import { type RunningProcess, startExporter, waitFor } from './processes.js';

/** The built entry point (`npm test`'s pretest step runs `npm run build`). */
export const MAIN = join(resolve(import.meta.dirname, '../..'), 'dist/main.js');

/** The one watched account of these end-to-end tests, named `alice` in their configs. */
export const [ALICE] = testAccounts(1, createRng(41)) as [string];

/** An XRP payment of 1531.267 XRP to Alice (a real fixture, re-addressed). */
const PAYMENT = {
  fixture: 'explorer/Payment/PaymentWithDestinationTag.json',
  map: { rHWcuuZoFvDS6gNbmHSdpb7u1hZzxvCoMt: 'alice' },
};
const rng = createRng(42);

/** One ledger's transactions: one payment to Alice (a fresh hash each time). */
export function paymentLedger() {
  return scenario({ alice: ALICE }, [[PAYMENT]], rng).ledgers[0]!.transactions;
}

/** Publishes a ledger with one payment to Alice and the empty ledger that completes it. */
export async function pay(fake: FakeRippled): Promise<void> {
  fake.addLedger(paymentLedger());
  fake.addLedger([]);
  await fake.publishAll();
}

export interface Watcher {
  readonly process: RunningProcess;
  readonly base: string;
  scrape(): Promise<Sample[]>;
  /** Waits until `name{labels}` has `value` (or passes the test); returns that scrape. */
  until(
    name: string,
    value: number | ((value: number | undefined) => boolean),
    labels?: Readonly<Record<string, string>>,
  ): Promise<Sample[]>;
  /** Waits until Alice's XRP payments counter is `n`. */
  payments(n: number): Promise<Sample[]>;
}

/** Starts the built exporter on `config` and waits until it is ready. */
export async function startWatcher(config: ConfigFile): Promise<Watcher> {
  const started = await startExporter(MAIN, [`--config.file=${config.path}`], config.dir, 15_000);
  const base = `http://${started.address}`;
  const scrape = async () => parseExposition(await (await fetch(`${base}/metrics`)).text());
  const until: Watcher['until'] = (name, value, labels = {}) =>
    waitFor(
      `${name}${JSON.stringify(labels)} ${typeof value === 'number' ? `= ${value}` : 'to pass'}`,
      async () => {
        const s = await scrape();
        const found = sampleValue(s, name, labels);
        return (typeof value === 'number' ? found === value : value(found)) ? s : undefined;
      },
      15_000,
    );
  try {
    await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 15_000);
  } catch (error) {
    await started.process.stop();
    throw error;
  }
  return {
    process: started.process,
    base,
    scrape,
    until,
    payments: (n) =>
      until('xrpl_payments_received_total', n, { name: 'alice', currency: 'XRP', type: 'Payment' }),
  };
}
