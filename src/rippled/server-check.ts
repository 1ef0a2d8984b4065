import type { Logger } from '../log.js';
import type { RippledResult } from './request-connection.js';
import { parseServerInfo, type ServerInfo } from './server-info.js';

/**
 * Why a server must not be read from, judged from the `network_id` it states (null when it states
 * none), or null to use it. The exporter's judge counts, logs and remembers refusals; `report`'s only
 * decides.
 */
export type ServerJudge = (server: string, networkId: number | null) => string | null;

/** A server was refused by the judge: nothing it sends is used. */
export class ServerRefusedError extends Error {
  override readonly name = 'ServerRefusedError';

  constructor(
    readonly server: string,
    readonly reason: string,
  ) {
    super(`refused: ${reason}`);
  }
}

/**
 * The one check every connection that reads ledger data passes before it is used (the live session,
 * side connections for backfill, repair and history, probes of a preferred server, `report`): ask
 * `server_info` and let the judge decide on its `network_id`. A server that does not answer
 * `server_info` is still used (the failure is logged): its ledger stream states the network again
 * (server-info.ts `networkIdOf`). Returns the parsed answer, or null; throws ServerRefusedError.
 */
export async function admitServer(
  connection: { request(cmd: { command: string }): Promise<RippledResult> },
  server: string,
  judge: ServerJudge,
  logger: Logger,
): Promise<ServerInfo | null> {
  let info: ServerInfo | null = null;
  try {
    info = parseServerInfo(await connection.request({ command: 'server_info' }));
  } catch (error) {
    logger.warn('server_info failed', { server, err: error });
  }
  const refusal = judge(server, info?.networkId ?? null);
  if (refusal !== null) throw new ServerRefusedError(server, refusal);
  return info;
}
