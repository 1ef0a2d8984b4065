import { createHash } from 'node:crypto';
import { encodeAccountID } from 'ripple-address-codec';
import {
  type Config,
  type ConfigEnv,
  type ConfigResult,
  loadConfigFile,
  parseConfig,
} from '../config/index.js';

export interface DemoAccount {
  readonly name: string;
  readonly address: string;
}

/**
 * A classic address derived from a label (first 20 bytes of its SHA-256 as the AccountID): stable across
 * runs and machines, so dashboards and Prometheus series survive a demo restart, and nobody's real account.
 */
export function demoAddress(label: string): string {
  return encodeAccountID(
    createHash('sha256').update(`xrpl-payments-exporter demo ${label}`).digest().subarray(0, 20),
  );
}

/** The accounts the demo exporter watches. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = ['demo-merchant', 'demo-exchange', 'demo-treasury'].map(
  (name) => ({ name, address: demoAddress(name) }),
);

/**
 * The demo's configuration as YAML text, so it is validated exactly like a user's file. The email
 * section appears only when SMTP_HOST is set (the compose stack points it at Mailpit), the alertmanager
 * section only when ALERTMANAGER_URL is set (the compose Alertmanager), and the rules with either;
 * `${SMTP_HOST}`, `${SMTP_PORT:-1025}` and `${ALERTMANAGER_URL}` stay references that parseConfig resolves.
 */
export function demoConfigYaml(rippledUrl: string, env: ConfigEnv, since: number | null = null): string {
  const [merchant, , treasury] = DEMO_ACCOUNTS;
  const sinceKey = since === null ? '' : `, since: ${since}`;
  const lines = [
    'xrpl:',
    `  servers: [${JSON.stringify(rippledUrl)}]`,
    '  api_version: 2',
    '  stale_after: 30s',
    '  explorer_url: null',
    'accounts:',
    ...DEMO_ACCOUNTS.map((a) => `  - { address: ${a.address}, name: ${a.name}${sinceKey} }`),
    // No state file: every demo run starts a fresh simulated ledger at the same index.
    'state:',
    '  path: null',
    // Short, so the status page shows the accounts verified, and the proof keeping up, in the first minute.
    'verification:',
    '  interval: 10s',
  ];
  const set = (name: string) => env[name] !== undefined && env[name] !== '';
  if (set('SMTP_HOST')) {
    lines.push(
      'email:',
      '  smtp:',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a config reference, resolved by parseConfig
      '    host: ${SMTP_HOST}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a config reference, resolved by parseConfig
      '    port: ${SMTP_PORT:-1025}',
      '    secure: false',
      '  from: "XRPL demo alerts <demo@xrpl-payments.example>"',
      '  to: [ops@xrpl-payments.example]',
    );
  }
  if (set('ALERTMANAGER_URL')) {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a config reference, resolved by parseConfig
    lines.push('alertmanager:', '  urls: ["${ALERTMANAGER_URL}"]', '  resend_interval: 1m');
  }
  if (set('SMTP_HOST') || set('ALERTMANAGER_URL')) {
    lines.push(
      'rules:',
      '  - name: demo-large-xrp-payment',
      '    kind: payment',
      '    threshold: 1000',
      '    currency: XRP',
      `    accounts: [${treasury?.name}]`,
      '    labels: { severity: info }',
      '  - name: demo-merchant-xrp-inflow',
      '    kind: total',
      '    threshold: 2000',
      '    currency: XRP',
      '    window: 10m',
      '    cooldown: 15m',
      `    accounts: [${merchant?.name}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The demo configuration, parsed and validated. `since`: the demo accounts count their history from this
 * ledger (the simulated ledger's first), so the exporter imports it at start.
 */
export function buildDemoConfig(
  rippledUrl: string,
  env: ConfigEnv,
  since: number | null = null,
): ConfigResult {
  return parseConfig(demoConfigYaml(rippledUrl, env, since), env);
}

/** A config for `report` against the simulated ledger: its server and the watched accounts. */
export function reportConfigYaml(config: Config): string {
  return `${[
    'xrpl:',
    `  servers: [${config.xrpl.servers.map((s) => JSON.stringify(s)).join(', ')}]`,
    'accounts:',
    ...config.accounts.map((a) => `  - { address: ${a.address}, name: ${JSON.stringify(a.name)} }`),
  ].join('\n')}\n`;
}

/**
 * A user's config file for the demo: validated like any config, then pointed at the simulated ledger
 * (its xrpl.servers replaced), so its own accounts, rules and email settings are exercised. Its state
 * file is dropped: each demo run starts a new simulated ledger at the same index, which a checkpoint
 * from an earlier run would contradict.
 */
export async function loadDemoConfigFile(
  path: string,
  rippledUrl: string,
  env: ConfigEnv,
): Promise<ConfigResult> {
  const loaded = await loadConfigFile(path, env);
  return loaded.ok ? { ok: true, config: onSimulatedLedger(loaded.config, rippledUrl) } : loaded;
}

function onSimulatedLedger(config: Config, rippledUrl: string): Config {
  return Object.freeze({
    ...config,
    xrpl: Object.freeze({ ...config.xrpl, servers: Object.freeze([rippledUrl]) }),
    state: Object.freeze({ ...config.state, path: null }),
  });
}
