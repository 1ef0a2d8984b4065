import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeTransaction } from '../../src/accounting/index.js';
import { DEFAULT_BUCKETS } from '../../src/config/schema.js';
import { ReceiptTotals } from '../../src/metrics/index.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { encodeStateFile } from '../../src/state/document.js';
import { configFile } from '../support/config-file.js';
import { parseExposition } from '../support/exposition.js';
import { type FakeSmtp, startFakeSmtp } from '../support/fake-smtp.js';
import { buildHistory, type History } from '../support/history.js';
import { explainTotals, plainTotals, reportTotals, statusTotals } from '../support/history-truth.js';
import { type RunningProcess, startExporter, waitFor } from '../support/processes.js';
import { runNode } from '../support/run-command.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const MAIN = join(ROOT, 'dist/main.js');

/** The watch start the exporter logged for an account: `history import started ... ledgers=FROM-TO`. */
function importRange(log: string, account: string): { from: number; to: number } | undefined {
  for (const line of log.split('\n')) {
    if (!line.includes('history import started') || !line.includes(account)) continue;
    const match = /ledgers=(\d+)-(\d+)/.exec(line);
    if (match) return { from: Number(match[1]), to: Number(match[2]) };
  }
  return undefined;
}

/** Waits until the exporter's exact totals of the account equal the explain sum over from..to; returns it. */
async function expectExplainTotals(
  base: string,
  history: History,
  account: string,
  from: number,
  to: number,
): Promise<Record<string, string>> {
  const truth = plainTotals(explainTotals(history, 1001, account, from, to));
  const same = async () =>
    JSON.stringify(plainTotals(await statusTotals(base, account))) === JSON.stringify(truth);
  await waitFor(
    `${account}: exported totals equal the explain sum`,
    async () => ((await same()) ? true : undefined),
    20_000,
  ).catch(async (error) => {
    expect(plainTotals(await statusTotals(base, account)), String(error)).toEqual(truth);
  });
  return truth;
}

/** A config watching alice and bob with since: 1001 and a state file. */
function twoAccountsSince1001(server: string, alice: string, bob: string): string[] {
  return [
    'xrpl:',
    `  servers: ["${server}"]`,
    'accounts:',
    `  - { address: ${alice}, name: alice, since: 1001 }`,
    `  - { address: ${bob}, name: bob, since: 1001 }`,
    'state:',
    '  path: ./state.json',
  ];
}

/** Publishes the ledgers one by one, then an empty one (so the last is complete); returns the last's index. */
async function publishLive(fake: FakeRippled, ledgers: History['ledgers']): Promise<number> {
  for (const ledger of ledgers) {
    fake.addLedger(ledger.transactions);
    await fake.publishNext();
  }
  fake.addLedger([]);
  await fake.publishNext();
  return fake.validatedLedgerIndex - 1;
}

async function importsFinished(base: string): Promise<true | undefined> {
  const samples = parseExposition(await (await fetch(`${base}/metrics`)).text());
  return samples.some((s) => s.name === 'xrpl_history_import_ledgers_remaining') ? undefined : true;
}

describe('history import (accounts[].since)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  it('imports a few thousand transactions: totals == report for the range == the sum of explain, alerts only after the watch start', async () => {
    const history = buildHistory({ seed: 31, ledgers: 400, transactions: 3000, accounts: 3 });
    const [alice, bob, carol] = history.accounts as [string, string, string];
    // Ledger 1000 closes at START; ledger 1000 + n at START + 4n s.
    const START = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000);
    const fake = await FakeRippled.start({ startTime: START, accountTxPageCap: 50 });
    cleanups.push(() => fake.close());
    const smtp: FakeSmtp = await startFakeSmtp();
    cleanups.push(() => smtp.close());
    // 300 ledgers are history before the exporter starts; 100 more close while it runs.
    fake.addLedgers(history.ledgers.slice(0, 300));
    await fake.publishAll();
    const since = { [alice]: 1001, [bob]: 1000, [carol]: 1150 };
    const file = configFile('import', [
      'xrpl:',
      `  servers: ["${fake.url}"]`,
      'accounts:',
      `  - { address: ${alice}, name: alice, since: ${since[alice]} }`,
      // The date of ledger 1000's close: resolved to ledger 1000 through the server.
      `  - { address: ${bob}, name: bob, since: "${START.toISOString()}" }`,
      `  - { address: ${carol}, name: carol, since: ${since[carol]} }`,
      'state:',
      '  path: ./state.json',
      'email:',
      `  smtp: { host: 127.0.0.1, port: ${smtp.port} }`,
      '  from: alerts@example.test',
      '  to: [ops@example.test]',
      'rules:',
      '  - { name: any-xrp, kind: payment, currency: XRP, threshold: 0.000001 }',
    ]);
    const started = await startExporter(MAIN, [`--config.file=${file.path}`], file.dir, 20_000);
    const exporter: RunningProcess = started.process;
    cleanups.push(() => exporter.stop());
    const base = `http://${started.address}`;
    await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 20_000);
    // Payments keep flowing while the imports run.
    for (const ledger of history.ledgers.slice(300)) {
      fake.addLedger(ledger.transactions);
      await fake.publishNext();
    }
    const last = fake.validatedLedgerIndex;
    await waitFor(
      'the imports to finish and the stream to reach the last ledger',
      async () => {
        const samples = parseExposition(await (await fetch(`${base}/metrics`)).text());
        const ledger = samples.find((s) => s.name === 'xrpl_validated_ledger_index')?.value;
        return ledger === last && (await importsFinished(base)) ? true : undefined;
      },
      60_000,
    );
    // The last ledger is complete once the next one closes.
    fake.addLedger([]);
    await fake.publishNext();

    for (const account of [alice, bob, carol]) {
      const from = since[account]!;
      const truth = await expectExplainTotals(base, history, account, from, last);
      const run = await runNode(
        [
          MAIN,
          'report',
          `--config.file=${file.path}`,
          `--account=${account}`,
          `--since=${from}`,
          `--until=${last}`,
        ],
        file.dir,
      );
      expect(run.stderr).toBe('');
      expect(plainTotals(reportTotals(run.stdout, account))).toEqual(truth);
    }
    expect(Object.keys(plainTotals(explainTotals(history, 1001, bob, 1000, last))).length).toBeGreaterThan(3);

    // Only receipts after each account's watch start were alerted, each once.
    const log = exporter.output();
    let expectedEmails = 0;
    for (const account of [alice, bob, carol]) {
      const range = importRange(log, account);
      expect(range, `no import line for ${account}:\n${log}`).toBeDefined();
      expect(range!.to).toBeGreaterThanOrEqual(1300);
      const live = explainTotals(history, 1001, account, range!.to + 1, last).get('XRP|');
      expectedEmails += live?.count ?? 0;
    }
    expect(expectedEmails).toBeGreaterThan(10);
    // Every alert is queued when its receipt is counted (all are by now): once the outbox is empty,
    // what was sent is all there will be.
    const sent = await waitFor(
      'the outbox to empty',
      async () => {
        const samples = parseExposition(await (await fetch(`${base}/metrics`)).text());
        const queued = samples.find((s) => s.name === 'xrpl_alert_emails_queued')?.value;
        const total = samples.find((s) => s.name === 'xrpl_alert_emails_sent_total')?.value ?? 0;
        return queued === 0 && total >= expectedEmails ? total : undefined;
      },
      30_000,
    );
    expect(sent).toBe(expectedEmails);
    expect(smtp.messages.length).toBe(expectedEmails);
    expect(log).toMatch(/history import progress"? .*percent=50 /);
  }, 180_000);

  it.each([
    ['an accounts subscription', []],
    // Past the threshold the reload switches the socket to the transactions stream, which delivers the
    // new accounts' transactions before their watch start is fixed.
    ['the transactions stream', ['  full_stream_threshold: 1']],
  ])(
    'a reload adds two accounts with since while payments flow (%s): each ends exact, no gap, no double',
    async (_mode, xrplExtra) => {
      const history = buildHistory({ seed: 41, ledgers: 300, transactions: 2400, accounts: 3 });
      const [alice, bob, carol] = history.accounts as [string, string, string];
      const START = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000);
      // Small slow pages: the imports run while the stream delivers the same accounts' new ledgers.
      const fake = await FakeRippled.start({ startTime: START, accountTxPageCap: 15 });
      fake.delayCommand('account_tx', 5);
      cleanups.push(() => fake.close());
      fake.addLedgers(history.ledgers.slice(0, 120));
      await fake.publishAll();
      const file = configFile('import-reload');
      const write = (accounts: string[]) =>
        file.write([
          'xrpl:',
          `  servers: ["${fake.url}"]`,
          ...xrplExtra,
          'accounts:',
          ...accounts,
          'state:',
          '  path: ./state.json',
        ]);
      const aliceLine = `  - { address: ${alice}, name: alice, since: 1001 }`;
      write([aliceLine]);
      const started = await startExporter(MAIN, [`--config.file=${file.path}`], file.dir, 20_000);
      const exporter: RunningProcess = started.process;
      cleanups.push(() => exporter.stop());
      const base = `http://${started.address}`;
      await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 20_000);

      let reloaded = false;
      for (const [i, ledger] of history.ledgers.slice(120).entries()) {
        fake.addLedger(ledger.transactions);
        await fake.publishNext();
        if (i === 40) {
          write([
            aliceLine,
            `  - { address: ${bob}, name: bob, since: 1001 }`,
            `  - { address: ${carol}, name: carol, since: "${new Date(START.getTime() + 4000).toISOString()}" }`,
          ]);
          exporter.child.kill('SIGHUP');
          reloaded = true;
        }
        // A ledger every 20 ms or so: faster than the imports read.
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(reloaded).toBe(true);
      fake.addLedger([]);
      await fake.publishNext();
      const last = fake.validatedLedgerIndex - 1;
      await waitFor('the imports to finish', () => importsFinished(base), 60_000);
      const log = exporter.output();
      const bobRange = importRange(log, bob);
      expect(bobRange, log).toBeDefined();
      // Bob joined the stream while it ran: his watch start is a ledger published after the start.
      expect(bobRange!.to).toBeGreaterThan(1121);
      for (const account of [alice, bob, carol]) {
        await expectExplainTotals(base, history, account, 1001, last);
      }
    },
    180_000,
  );

  it('a restart in the middle of an import resumes where it stopped and counts nothing twice', async () => {
    const history = buildHistory({ seed: 51, ledgers: 400, transactions: 3000, accounts: 2 });
    const [alice, bob] = history.accounts as [string, string];
    const START = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000);
    const fake = await FakeRippled.start({ startTime: START, accountTxPageCap: 20 });
    cleanups.push(() => fake.close());
    fake.addLedgers(history.ledgers.slice(0, 350));
    await fake.publishAll();
    // Slow pages, so the import is still running when the exporter is killed.
    fake.delayCommand('account_tx', 40);
    const file = configFile('import-restart', twoAccountsSince1001(fake.url, alice, bob));
    const first = await startExporter(MAIN, [`--config.file=${file.path}`], file.dir, 20_000);
    cleanups.push(() => first.process.stop());
    const firstBase = `http://${first.address}`;
    const total = 350;
    await waitFor(
      'the first import to be under way',
      async () => {
        const samples = parseExposition(await (await fetch(`${firstBase}/metrics`)).text());
        const left = samples.find(
          (s) => s.name === 'xrpl_history_import_ledgers_remaining' && s.labels.name === 'alice',
        )?.value;
        return left !== undefined && left < total * 0.7 && left > 0 ? true : undefined;
      },
      60_000,
      50,
    );
    first.process.child.kill('SIGKILL');
    await new Promise((r) => first.process.child.once('exit', r));
    const killedLog = first.process.output();

    // While it was down, more payments; then it comes back on the same state file.
    fake.addLedgers(history.ledgers.slice(350, 380));
    await fake.publishAll();
    fake.delayCommand('account_tx', 0);
    const second = await startExporter(MAIN, [`--config.file=${file.path}`], file.dir, 20_000);
    cleanups.push(() => second.process.stop());
    const base = `http://${second.address}`;
    await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 20_000);
    const last = await publishLive(fake, history.ledgers.slice(380));
    await waitFor('the imports to finish', () => importsFinished(base), 60_000);
    const resumed = importRange(second.process.output(), alice);
    const firstRange = importRange(killedLog, alice);
    expect(firstRange).toEqual({ from: 1001, to: 1350 });
    // It resumed after the ledgers it had counted, up to the same watch start.
    expect(resumed!.from).toBeGreaterThan(1001);
    expect(resumed!.to).toBe(1350);
    for (const account of [alice, bob]) {
      await expectExplainTotals(base, history, account, 1001, last);
    }
  }, 180_000);

  it('loads a state file written before history imports existed: accounts it has totals for are not imported again', async () => {
    const history = buildHistory({ seed: 61, ledgers: 200, transactions: 1200, accounts: 2 });
    const [alice, bob] = history.accounts as [string, string];
    const START = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000);
    const fake = await FakeRippled.start({ startTime: START });
    cleanups.push(() => fake.close());
    fake.addLedgers(history.ledgers.slice(0, 150));
    await fake.publishAll();
    // The old release watched alice and counted ledgers 1001-1100 into its state file.
    const totals = new ReceiptTotals({ paymentSizeBucketsXrp: [...DEFAULT_BUCKETS] });
    history.ledgers.slice(0, 100).forEach((ledger, i) => {
      for (const tx of ledger.transactions) {
        const analysis = analyzeTransaction(
          { ...tx, ledger_index: 1001 + i, validated: true },
          new Set([alice]),
        );
        for (const effect of analysis.accounts) {
          if (!effect.counted) continue;
          totals.recordReceipts({
            account: alice,
            txType: analysis.transactionType ?? 'unknown',
            partial: analysis.partialPayment,
            closeTime: analysis.closeTime,
            received: effect.received,
          });
        }
      }
    });
    const snapshot = JSON.parse(JSON.stringify(totals.snapshot()));
    for (const account of Object.values(snapshot.accounts) as Array<{
      received: Array<Record<string, unknown>>;
    }>) {
      for (const r of account.received) delete r.lastAt;
    }
    const file = configFile('import-old-state', twoAccountsSince1001(fake.url, alice, bob));
    const old = encodeStateFile({
      version: 1,
      checkpoint: 1100,
      totals: snapshot,
      dedupe: [],
      outbox: null,
      rules: null,
    });
    expect(old).not.toContain('"history"');
    expect(old).not.toContain('lastAt');
    writeFileSync(join(file.dir, 'state.json'), old);

    const started = await startExporter(MAIN, [`--config.file=${file.path}`], file.dir, 20_000);
    cleanups.push(() => started.process.stop());
    const base = `http://${started.address}`;
    await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 20_000);
    const last = await publishLive(fake, history.ledgers.slice(150));
    await waitFor('the imports to finish', () => importsFinished(base), 60_000);
    const log = started.process.output();
    expect(log).toMatch(/msg="state loaded" .*source=primary/);
    expect(importRange(log, alice)).toBeUndefined();
    expect(importRange(log, bob)).toEqual({ from: 1001, to: 1150 });
    for (const account of [alice, bob]) {
      await expectExplainTotals(base, history, account, 1001, last);
    }
  }, 180_000);
});
