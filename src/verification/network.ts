import type { Logger } from '../log.js';

/**
 * Network identity: testnet and mainnet look alike on the wire, so a misconfigured failover list could
 * feed another network's payments into the totals. Servers report their network in `server_info`
 * (`network_id`: mainnet 0, testnet 1, devnet 2; xrpl-protocol.md §6).
 */
export class NetworkIdentity {
  private recordedId: number | null;

  /**
   * @param configured `xrpl.network_id`, or null
   * @param recorded the network recorded in the state file when none is configured
   */
  constructor(
    private readonly configured: number | null,
    recorded: number | null,
  ) {
    this.recordedId = configured === null ? recorded : null;
  }

  /** The network to record in the state file (the first one seen when none is configured). */
  get recorded(): number | null {
    return this.recordedId;
  }

  /**
   * Why a server reporting `networkId` must not be used, or null. A server that does not say (older
   * rippled without `network_id`) is used: nothing contradicts it.
   */
  refusal(networkId: number | null): string | null {
    if (networkId === null) return null;
    const expected = this.configured ?? this.recordedId;
    if (expected === null) {
      this.recordedId = networkId;
      return null;
    }
    if (networkId === expected) return null;
    const source = this.configured === null ? 'the network first seen (state file)' : 'xrpl.network_id';
    return `server reports network_id ${networkId}, ${source} is ${expected}`;
  }
}

export interface NetworkGateOptions {
  /** `xrpl.network_id`, or null. */
  readonly configured: number | null;
  /** The network recorded in the state file, or null. */
  readonly recorded: number | null;
  /** Counts a refusal episode (xrpl_servers_refused_total{reason="network_id"}). */
  readonly onRefused: (server: string) => void;
  /** The first network seen was recorded: save it. */
  readonly onRecorded: () => void;
  readonly logger: Logger;
  /** How a server is named in logs (a password in its URL masked). */
  readonly display: (server: string) => string;
}

/**
 * The exporter's judge of servers by the network they state (RippledClient `refuse`, asked for every
 * connection and every stated `network_id`). A refusal episode begins when a server states another
 * network and ends when it states the right one: it is counted and logged once, at error, however
 * often the server is probed or re-read meanwhile. Refused servers are skipped as history sources.
 */
export class NetworkGate {
  private readonly identity: NetworkIdentity;
  private readonly refusedServers = new Set<string>();

  constructor(private readonly options: NetworkGateOptions) {
    this.identity = new NetworkIdentity(options.configured, options.recorded);
  }

  /** The network to record in the state file. */
  get recorded(): number | null {
    return this.identity.recorded;
  }

  isRefused(server: string): boolean {
    return this.refusedServers.has(server);
  }

  /** Why `server`, stating `networkId`, must not be used, or null. */
  judge(server: string, networkId: number | null): string | null {
    const before = this.identity.recorded;
    const refusal = this.identity.refusal(networkId);
    if (this.identity.recorded !== before) this.options.onRecorded();
    if (refusal === null) {
      // Only a server stating the right network ends an episode; one stating none is used meanwhile.
      if (networkId !== null && this.refusedServers.delete(server)) {
        this.options.logger.info('server accepted: it reports the expected network again', {
          server: this.options.display(server),
          network_id: networkId,
        });
      }
      return null;
    }
    if (!this.refusedServers.has(server)) {
      this.refusedServers.add(server);
      this.options.onRefused(server);
      this.options.logger.error('server refused: another network', {
        server: this.options.display(server),
        reason: refusal,
      });
    }
    return refusal;
  }
}
