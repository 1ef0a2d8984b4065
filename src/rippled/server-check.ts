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

  constructor(readonly reason: string) {
    super(`refused: ${reason}`);
  }
}

/**
 * The one check every connection that reads ledger data passes before it is used (the live session,
 * side connections for backfill, repair and history, probes of a preferred server, `report`): ask
 * `server_info` and let the judge decide on its `network_id`. A connection whose server does not
 * answer `server_info` fails (the request's error), as any failed request does, except a live session
 * (`streamFollows`): its subscribe answer and ledger stream state the network again (server-info.ts
 * `networkIdOf`), so it is used and the failure logged. Returns the parsed answer (null when a live
 * session's server did not answer); throws ServerRefusedError when the judge refuses the server.
 */
export async function admitServer(
  connection: { request(cmd: { command: string }): Promise<RippledResult> },
  server: string,
  judge: ServerJudge,
  logger: Logger,
  options: { streamFollows?: boolean } = {},
): Promise<ServerInfo | null> {
  let info: ServerInfo | null = null;
  try {
    info = parseServerInfo(await connection.request({ command: 'server_info' }));
  } catch (error) {
    if (!options.streamFollows) throw error;
    logger.warn('server_info failed', { server, err: error });
  }
  const refusal = judge(server, info?.networkId ?? null);
  if (refusal !== null) throw new ServerRefusedError(refusal);
  return info;
}
