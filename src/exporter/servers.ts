import type { AlternateServer, HistoryServer } from '../backfill/index.js';
import type { RippledClient } from '../rippled/index.js';

/** Where history is read from: the live session's server first, then the others, opened on demand. */
export interface ServerChoice {
  readonly primaryUrl: string;
  /** The live session's requests. */
  readonly primary: { request: RippledClient['request'] };
  readonly alternates: AlternateServer[];
}

export function serverChoice(
  client: RippledClient,
  servers: readonly string[],
  stopping: () => boolean,
): ServerChoice {
  const primaryUrl = client.currentServer() ?? servers[0]!;
  const alternates: AlternateServer[] = servers
    .filter((url) => url !== primaryUrl)
    .map((url) => ({
      url,
      open: () => (stopping() ? Promise.reject(new Error('shutting down')) : client.openSideConnection(url)),
    }));
  return { primaryUrl, primary: { request: (cmd, options) => client.request(cmd, options) }, alternates };
}

/** The same servers in failover order, for the history reader. */
export function historyServers(choice: ServerChoice): HistoryServer[] {
  return [
    { url: choice.primaryUrl, connect: async () => choice.primary },
    ...choice.alternates.map((alt) => ({ url: alt.url, connect: () => alt.open() })),
  ];
}

/**
 * The configured servers history, backfill and repair may read from: never one of another network.
 * When every one is refused, the list stands as configured: a ServerChoice needs a primary.
 */
export function readableServers(
  servers: readonly string[],
  refused: (url: string) => boolean,
): readonly string[] {
  const usable = servers.filter((url) => !refused(url));
  return usable.length > 0 ? usable : servers;
}
