import { maskUrlSecrets } from '../config/index.js';
import type { AccountConfig, Config } from '../config/types.js';
import type { MetricsTopology } from '../metrics/index.js';

/** The label sets the metrics expose for a configuration and its (sharded) accounts; derived again on reload. */
export function metricsTopology(config: Config, accounts: readonly AccountConfig[]): MetricsTopology {
  const notifying = (sink: 'email' | 'alertmanager') =>
    config.rules.filter((r) => r.notify.includes(sink)).map((r) => r.name);
  return {
    accounts,
    rules: notifying('email'),
    alertmanagerRules: notifying('alertmanager'),
    alertmanagerUrls: (config.alertmanager?.urls ?? []).map(maskUrlSecrets),
    // A password or a query value (an API key) in a server URL is a secret: labels show it masked.
    servers: config.xrpl.servers.map(maskUrlSecrets),
    paymentSizeBucketsXrp: config.metrics.paymentSizeBucketsXrp,
    aggregateBy: config.metrics.aggregateBy,
  };
}
