import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeAccountID } from 'ripple-address-codec';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/demo/config.js';
import { SYNTHETIC_ISSUER } from '../../src/demo/synthetic.js';
import { startAlertmanager, startWebhook, webhookConfig } from '../support/alertmanager.js';
import { parseExposition, type Sample } from '../support/exposition.js';
import { startFakeSmtp } from '../support/fake-smtp.js';
import {
  GiveUp,
  listeningAddress,
  type RunningProcess,
  startProcess,
  waitFor,
} from '../support/processes.js';
import { runNode } from '../support/run-command.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const DEMO = join(ROOT, 'dist/demo.js');

/**
 * Starts `node dist/demo.js` on a free port with fast ledgers, through env(1) so the child gets exactly
 * these demo variables (unset unless given) whatever the test runner's environment holds.
 */
async function startDemo(
  env: Record<string, string>,
  args: readonly string[] = [],
): Promise<{ demo: RunningProcess; base: string }> {
  const unset = ['XRPL_DEMO_FIXTURES', 'SMTP_HOST', 'SMTP_PORT', 'ALERTMANAGER_URL'].flatMap((name) => [
    '-u',
    name,
  ]);
  const set = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  const demo = startProcess(
    'env',
    [...unset, ...set, 'node', DEMO, '--web.listen-address=127.0.0.1:0', '--interval=1s', ...args],
    ROOT,
  );
  const address = await waitFor(
    'the demo to log its listening address',
    () => {
      if (demo.child.exitCode !== null) throw new GiveUp(`demo exited:\n${demo.output()}`);
      return listeningAddress(demo.output());
    },
    20_000,
  );
  return { demo, base: `http://${address}` };
}

/** Ready once the exporter has subscribed and seen a fresh ledger: shortly after it listens, not at once. */
async function waitForReady(base: string): Promise<void> {
  await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 20_000);
}

async function scrape(base: string): Promise<Sample[]> {
  return parseExposition(await (await fetch(`${base}/metrics`)).text());
}

/** Sum of xrpl_payments_received_total per demo account name. */
function receivedPerAccount(samples: readonly Sample[]): Map<string, number> {
  const sums = new Map(DEMO_ACCOUNTS.map((a) => [a.name, 0]));
  for (const s of samples) {
    if (s.name !== 'xrpl_payments_received_total') continue;
    const account = DEMO_ACCOUNTS.find((a) => a.address === s.labels.account && a.name === s.labels.name);
    if (account) sums.set(account.name, (sums.get(account.name) ?? 0) + s.value);
  }
  return sums;
}

function total(sums: Map<string, number>): number {
  return [...sums.values()].reduce((a, b) => a + b, 0);
}

/** Waits until every demo account has received something, then until the total grows again. */
async function expectPaymentsToMove(base: string): Promise<Sample[]> {
  const first = await waitFor(
    'every demo account to receive payments',
    async () => {
      const sums = receivedPerAccount(await scrape(base));
      return [...sums.values()].every((n) => n > 0) ? sums : undefined;
    },
    30_000,
  );
  return waitFor(
    'the received payments to grow',
    async () => {
      const samples = await scrape(base);
      return total(receivedPerAccount(samples)) > total(first) ? samples : undefined;
    },
    30_000,
  );
}

// Each test waits on several deadlines in a row (start-up, payments, growth): more than the default 60 s.
describe('npm run demo (node dist/demo.js)', { timeout: 150_000 }, () => {
  let running: RunningProcess | null = null;

  afterEach(async () => {
    await running?.stop();
    running = null;
  });

  // Without --fixtures or XRPL_DEMO_FIXTURES the demo finds ../shared/fixtures/xrpl beside the package.
  it('replays the real fixtures to the demo accounts, is ready, and stops cleanly on SIGTERM', async () => {
    const { demo, base } = await startDemo({});
    running = demo;
    expect(demo.output()).toMatch(/msg="replaying real transactions" dir=\S+ files=\d+ transactions=\d+/);
    await waitForReady(base);
    const samples = await expectPaymentsToMove(base);
    const value = (name: string) => samples.find((s) => s.name === name)?.value;
    expect(value('xrpl_invalid_messages_total')).toBe(0);
    expect(value('xrpl_ledger_gaps_total')).toBe(0);
    expect(value('xrpl_up')).toBe(1);
    // Transaction types beyond Payment show up (the pool holds CheckCash, EscrowFinish, AMM...); the
    // demo picks at random, so wait for one rather than expect it in the first few ledgers.
    const types = await waitFor(
      'a transaction type other than Payment',
      async () => {
        const seen = new Set(
          (await scrape(base))
            .filter((s) => s.name === 'xrpl_payments_received_total' && s.value > 0)
            .map((s) => s.labels.type),
        );
        return seen.size > 1 ? seen : undefined;
      },
      30_000,
    );
    expect(types.size).toBeGreaterThan(1);
    const closedLedgers = () => [
      ...demo.output().matchAll(/msg="demo ledger closed" ledger=(\d+) transactions=(\d+)/g),
    ];
    const closed = await waitFor(
      'four ledgers closed',
      () => (closedLedgers().length > 3 ? closedLedgers() : undefined),
      30_000,
    );
    expect(closed.length).toBeGreaterThan(3);
    const indexes = closed.map((m) => Number(m[1]));
    expect(indexes).toEqual(indexes.map((_, i) => indexes[0]! + i));

    // Self-verification: the status page shows every demo account verified within the demo's first minute,
    // and the proof keeps up (the demo's verification.interval is short), none unverified.
    const verified = await waitFor(
      'every demo account verified',
      async () => {
        const s = await scrape(base);
        const of = (name: string, account: string) =>
          s.find((x) => x.name === name && x.labels.account === account)?.value;
        const ledgers = DEMO_ACCOUNTS.map((a) => of('xrpl_account_verified_ledger', a.address) ?? 0);
        return ledgers.every((l) => l > 0) ? s : undefined;
      },
      60_000,
    );
    const verifiedLedgers = (samples: readonly Sample[]) =>
      DEMO_ACCOUNTS.map(
        (a) =>
          samples.find((x) => x.name === 'xrpl_account_verified_ledger' && x.labels.account === a.address)
            ?.value ?? 0,
      );
    // The periodic check keeps proving later ledgers (not only the one after the history import).
    const firstProved = Math.max(...verifiedLedgers(verified));
    const later = await waitFor(
      'a later ledger proved for every demo account',
      async () => {
        const s = await scrape(base);
        return verifiedLedgers(s).every((l) => l > firstProved) ? s : undefined;
      },
      45_000,
    );
    for (const account of DEMO_ACCOUNTS) {
      const of = (name: string) =>
        later.find((x) => x.name === name && x.labels.account === account.address)?.value;
      expect(of('xrpl_account_verified_ledger'), account.name).toBeGreaterThan(firstProved);
      expect(of('xrpl_account_unverified'), account.name).toBe(0);
      expect(of('xrpl_verification_breaks_total'), account.name).toBe(0);
    }

    // The demo accounts import the simulated ledger's history, and the demo says how to report on it.
    await waitFor(
      'the demo accounts to import their history',
      () => ((demo.output().match(/msg="history import done"/g) ?? []).length === 3 ? true : undefined),
      30_000,
    );
    const command = /msg="report against the simulated ledger" command="node dist\/main\.js ([^"]+)"/.exec(
      demo.output(),
    );
    expect(command, demo.output()).not.toBeNull();
    const report = await runNode([join(ROOT, 'dist/main.js'), ...command![1]!.split(' ')], ROOT);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    const rows = report.stdout.trimEnd().split('\n');
    expect(rows[0]).toBe(
      'ledger_index,close_time,hash,account,name,type,currency,issuer,value,sender,destination_tag,partial',
    );
    expect(rows.length).toBeGreaterThan(10);

    const exited = once(demo.child, 'exit');
    demo.child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(demo.output()).toMatch(/msg="shutting down" signal=SIGTERM/);
  });

  it('falls back to synthetic transactions when the fixture directory holds none', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'demo-empty-'));
    const { demo, base } = await startDemo({ XRPL_DEMO_FIXTURES: empty });
    running = demo;
    expect(demo.output()).toMatch(/level=warn msg="no replayable transactions in the fixture directory/);
    await waitForReady(base);
    await expectPaymentsToMove(base);
    const samples = await waitFor(
      'synthetic token and partial payments',
      async () => {
        const s = await scrape(base);
        const tokens = s.filter(
          (x) =>
            x.name === 'xrpl_received_amount_total' && x.labels.issuer === SYNTHETIC_ISSUER && x.value > 0,
        );
        const partial = s.filter((x) => x.name === 'xrpl_partial_payments_received_total' && x.value > 0);
        return tokens.length > 0 && partial.length > 0 ? s : undefined;
      },
      30_000,
    );
    expect(samples.find((s) => s.name === 'xrpl_invalid_messages_total')?.value).toBe(0);
    const body = await (await fetch(`${base}/metrics`)).text();
    expect(() =>
      execFileSync('promtool', ['check', 'metrics'], { input: body, stdio: ['pipe', 'pipe', 'pipe'] }),
    ).not.toThrow();
  });

  it('sends the demo alert emails through SMTP_HOST', async () => {
    const smtp = await startFakeSmtp();
    try {
      const empty = mkdtempSync(join(tmpdir(), 'demo-empty-'));
      const { demo } = await startDemo({
        XRPL_DEMO_FIXTURES: empty,
        SMTP_HOST: smtp.host,
        SMTP_PORT: String(smtp.port),
      });
      running = demo;
      const [mail] = await smtp.waitForMessages(1, 60_000);
      expect(mail?.envelope.to).toEqual(['ops@xrpl-payments.example']);
      expect(mail?.parsed.subject).toMatch(/demo-large-xrp-payment|demo-merchant-xrp-inflow/);
    } finally {
      await running?.stop();
      running = null;
      await smtp.close();
    }
  });

  it('posts the demo alerts to ALERTMANAGER_URL', async () => {
    const webhook = await startWebhook();
    const am = await startAlertmanager({ config: webhookConfig(webhook.url) });
    try {
      const empty = mkdtempSync(join(tmpdir(), 'demo-empty-'));
      const { demo } = await startDemo({ XRPL_DEMO_FIXTURES: empty, ALERTMANAGER_URL: am.url });
      running = demo;
      const notification = await waitFor(
        'a demo alert at the webhook',
        () => webhook.notifications.find((n) => n.status === 'firing'),
        60_000,
      );
      expect(notification.alerts[0]?.labels.alertname).toMatch(
        /demo-large-xrp-payment|demo-merchant-xrp-inflow/,
      );
    } finally {
      await running?.stop();
      running = null;
      await am.stop();
      await webhook.close();
    }
  });

  it('runs a user config file against the simulated ledger, crediting its accounts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-user-config-'));
    const file = join(dir, 'config.yaml');
    const [first, second] = [encodeAccountID(Buffer.alloc(20, 7)), encodeAccountID(Buffer.alloc(20, 9))];
    writeFileSync(
      file,
      `xrpl:\n  servers: ["ws://127.0.0.1:9"]\naccounts:\n  - { address: ${first}, name: shop }\n  - { address: ${second}, name: vault }\n`,
    );
    const { demo, base } = await startDemo({}, [`--config.file=${file}`]);
    running = demo;
    expect(demo.output()).toMatch(new RegExp(`msg="starting demo" .*config=${file}`));
    const sums = await waitFor(
      'both configured accounts to receive payments',
      async () => {
        const samples = (await scrape(base)).filter((s) => s.name === 'xrpl_payments_received_total');
        const sum = (name: string) =>
          samples.filter((s) => s.labels.name === name).reduce((a, s) => a + s.value, 0);
        return sum('shop') > 0 && sum('vault') > 0 ? samples : undefined;
      },
      30_000,
    );
    expect(sums.every((s) => s.labels.name === 'shop' || s.labels.name === 'vault')).toBe(true);
  });

  it('refuses an invalid config file with exit code 1 and the errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-bad-config-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'xrpl:\n  servers: ["ws://127.0.0.1:9"]\naccounts: []\nbogus: 1\n');
    const demo = startProcess(
      'node',
      [DEMO, `--config.file=${file}`, '--web.listen-address=127.0.0.1:0'],
      ROOT,
    );
    const [code] = await once(demo.child, 'exit');
    expect(code).toBe(1);
    expect(demo.output()).toMatch(
      /msg="cannot start the demo" err=".*invalid configuration: .*bogus: unknown key/,
    );
  });

  it('rejects a bad flag with exit code 2 and the usage', async () => {
    const demo = startProcess('node', [DEMO, '--interval=soon'], ROOT);
    const [code] = await once(demo.child, 'exit');
    expect(code).toBe(2);
    expect(demo.output()).toContain('--interval: expected a duration');
    expect(demo.output()).toContain('Usage: node dist/demo.js');
  });
});
