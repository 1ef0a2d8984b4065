import { readFile } from 'node:fs/promises';
import type { HistoryServer, Requester } from '../backfill/index.js';
import type { Flags } from '../cli.js';
import { maskUrlSecrets, maskUrlsInText } from '../config/index.js';
import { buildReport, formatReport } from '../history/report.js';
import { silentLogger } from '../log.js';
import { RequestConnection } from '../rippled/request-connection.js';
import { admitServer, type ServerJudge } from '../rippled/server-check.js';
import { decodeStateFile } from '../state/document.js';
import { NetworkIdentity } from '../verification/network.js';
import { configOrExit } from './config.js';
import type { CommandIO } from './io.js';

/**
 * `report`: every receipt of the accounts in a period, from the configured servers (failover, marker
 * pagination, validated only), as CSV or JSON on standard output. Exit 0 with the whole report; 1 with
 * one line on standard error and nothing on standard output when any of it cannot be read (or is not
 * validated yet); 2 on bad flags (cli.ts), also when --since and --until turn out to name an empty
 * period once resolved.
 */
export async function reportCommand(flags: Flags, io: CommandIO): Promise<number> {
  const report = flags.report;
  if (report === null) throw new Error('report: flags not parsed');
  // Accounts named on the command line make the config's optional: only its servers are needed.
  const config = await configOrExit(flags, io, { accountsRequired: flags.accounts.length === 0 });
  if (!config) return 1;
  const names = new Map(config.accounts.map((a) => [a.address, a.name]));
  const accounts =
    flags.accounts.length > 0
      ? [...new Set(flags.accounts)].map((address) => ({ address, name: names.get(address) ?? address }))
      : config.accounts.map((a) => ({ address: a.address, name: a.name }));
  // The exporter's check of every server: `xrpl.network_id`, or else the network recorded in its state
  // file, or else the first network a server states.
  const network = new NetworkIdentity(config.xrpl.networkId, await recordedNetwork(config.state.path));
  const connections = new ConnectionCache(config.xrpl.apiVersion, config.xrpl.requestTimeoutMs, (_, id) =>
    network.refusal(id),
  );
  const bar = io.stderrIsTTY ? new ProgressBar(io) : null;
  try {
    const result = await buildReport({
      servers: config.xrpl.servers.map((url) => connections.server(url)),
      accounts,
      since: report.since,
      until: report.until,
      apiVersion: config.xrpl.apiVersion,
      logger: silentLogger,
      ...(bar ? { onProgress: (done: number, total: number) => bar.show(done, total) } : {}),
    });
    bar?.clear();
    if (!result.ok) {
      // One line: the message may quote a server's answer, and a server URL may hold a secret.
      const line = maskUrlsInText(result.error.replace(/\s+/g, ' '), config.xrpl.servers);
      io.stderr(`report: ${line}\n`);
      return result.problem === 'flags' ? 2 : 1;
    }
    io.stdout(formatReport(result.rows, report.format));
    return 0;
  } finally {
    bar?.clear();
    await connections.closeAll();
  }
}

/** The network the exporter recorded in its state file; null without a readable one (nothing to agree with). */
async function recordedNetwork(path: string | null): Promise<number | null> {
  if (path === null) return null;
  try {
    return decodeStateFile(await readFile(path, 'utf8')).networkId ?? null;
  } catch {
    return null;
  }
}

/**
 * One request connection per server, opened on first use (and checked as the exporter checks every
 * server: a server of another network is refused, and the read fails over past it) and reopened if it
 * dropped.
 */
class ConnectionCache {
  private readonly open = new Map<string, RequestConnection>();

  constructor(
    private readonly apiVersion: 1 | 2,
    private readonly requestTimeoutMs: number,
    private readonly judge: ServerJudge,
  ) {}

  server(url: string): HistoryServer {
    return { url: maskUrlSecrets(url), connect: () => this.connect(url) };
  }

  private async connect(url: string): Promise<Requester> {
    const existing = this.open.get(url);
    if (existing?.isOpen) return existing;
    const connection = await RequestConnection.connect(url, {
      apiVersion: this.apiVersion,
      requestTimeoutMs: this.requestTimeoutMs,
    });
    try {
      await admitServer(connection, url, this.judge, silentLogger);
    } catch (error) {
      await connection.close();
      throw error;
    }
    this.open.set(url, connection);
    return connection;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.values()].map((c) => c.close().catch(() => undefined)));
    this.open.clear();
  }
}

/** `[#########-----------]  45%  ledgers 1234/2742` on one line of standard error, redrawn in place. */
class ProgressBar {
  private lastDrawn = 0;
  private drawn = false;

  constructor(private readonly io: CommandIO) {}

  show(done: number, total: number): void {
    const now = Date.now();
    if (now - this.lastDrawn < 100 && done < total) return;
    this.lastDrawn = now;
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    const width = 30;
    const filled = Math.round(ratio * width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    this.io.stderr(`\r[${bar}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ledgers ${done}/${total}`);
    this.drawn = true;
  }

  clear(): void {
    if (!this.drawn) return;
    this.drawn = false;
    this.io.stderr('\r\u001b[2K');
  }
}
