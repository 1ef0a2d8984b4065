import { forEachLimited } from '../concurrency.js';
import type { RequestConnection, RippledResult } from './request-connection.js';

/** rippled rejects requests over RPC::Tuning::maxRequestSize = 1,000,000 bytes with jsonInvalid
 * (xrpl-protocol.md §6); the default leaves room below it. */
export const DEFAULT_MAX_SUBSCRIBE_REQUEST_BYTES = 900_000;

export type AccountsCommand = 'subscribe' | 'unsubscribe';

/** Splits `accounts` so that each `{command, accounts, api_version, id}` request, serialized, stays
 * within `maxBytes`. The overhead is measured with the largest id we could send, so the bound holds
 * whatever id the connection assigns. Order is kept; the chunks' union is the input. */
export function chunkAccounts(
  accounts: readonly string[],
  command: AccountsCommand,
  apiVersion: number,
  maxBytes: number,
): string[][] {
  const overhead = Buffer.byteLength(
    JSON.stringify({ command, accounts: [], id: Number.MAX_SAFE_INTEGER, api_version: apiVersion }),
  );
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let size = overhead;
  for (const account of accounts) {
    const bytes = Buffer.byteLength(JSON.stringify(account));
    // +1 for the comma that separates it from the previous account.
    if (chunk.length > 0 && size + 1 + bytes > maxBytes) {
      chunks.push(chunk);
      chunk = [];
      size = overhead;
    }
    size += bytes + (chunk.length > 0 ? 1 : 0);
    chunk.push(account);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export interface ChunkedSendOptions {
  readonly apiVersion: number;
  readonly maxRequestBytes: number;
  /** Chunks sent before the first answer comes back (pipelined, bounded). @default 4 */
  readonly maxInFlight?: number;
}

/** Sends `accounts` in chunks over `connection`, pipelined with at most `maxInFlight` unanswered.
 * Resolves when every chunk succeeded; rejects with the first failure (the rest are still awaited so
 * nothing is left unhandled). */
export async function sendAccountsChunked(
  connection: RequestConnection,
  command: AccountsCommand,
  accounts: readonly string[],
  options: ChunkedSendOptions,
): Promise<RippledResult[]> {
  const chunks = chunkAccounts(accounts, command, options.apiVersion, options.maxRequestBytes);
  const results: RippledResult[] = new Array(chunks.length);
  const limit = Math.max(1, options.maxInFlight ?? 4);
  let failure: { error: unknown } | null = null;
  await forEachLimited(chunks, limit, async (chunk, index) => {
    if (failure !== null) return; // stop sending after the first failure; let those in flight finish
    try {
      results[index] = await connection.request({
        command,
        accounts: chunk,
        api_version: options.apiVersion,
      });
    } catch (error) {
      failure ??= { error };
    }
  });
  if (failure !== null) throw (failure as { error: unknown }).error;
  return results;
}
