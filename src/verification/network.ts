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
