import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

/**
 * The baseline of figure (b), run as its own process like the exporter: a bare `ws` client that
 * subscribes to the same accounts, then only receives and JSON.parses every message. It prints
 * `subscribed` once both subscribe answers are in, and `done N` when N transaction messages arrived,
 * each with the CPU time used so far (`cpu_ms=`), so the figure can compare CPU as well as wall time.
 *
 * Usage: node bare-client.js URL ACCOUNTS_JSON_FILE API_VERSION EXPECTED_TRANSACTIONS
 */
const [url, accountsFile, apiVersionText, expectedText] = process.argv.slice(2);
if (!url || !accountsFile || !apiVersionText || !expectedText) {
  console.error('usage: bare-client URL ACCOUNTS_JSON_FILE API_VERSION EXPECTED_TRANSACTIONS');
  process.exit(2);
}
const accounts = JSON.parse(readFileSync(accountsFile, 'utf8')) as string[];
const apiVersion = Number(apiVersionText);
const expected = Number(expectedText);
let transactions = 0;
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return Math.round((user + system) / 1000);
};
let answers = 0;

const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
socket.on('open', () => {
  socket.send(JSON.stringify({ id: 1, command: 'subscribe', accounts, api_version: apiVersion }));
  socket.send(JSON.stringify({ id: 2, command: 'subscribe', streams: ['ledger'], api_version: apiVersion }));
});
socket.on('message', (data: Buffer) => {
  const message = JSON.parse(data.toString('utf8')) as { type?: string; status?: string };
  if (message.type === 'transaction') {
    transactions++;
    if (transactions === expected) {
      console.log(`done ${transactions} cpu_ms=${cpuMs()}`);
      socket.close();
    }
  } else if (message.type === 'response') {
    if (message.status !== 'success') {
      console.error(`subscribe failed: ${JSON.stringify(message)}`);
      process.exit(1);
    }
    if (++answers === 2) console.log(`subscribed cpu_ms=${cpuMs()}`);
  }
});
socket.on('error', (error) => {
  console.error(`socket error: ${error.message}`);
  process.exit(1);
});
