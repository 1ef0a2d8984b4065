#!/usr/bin/env node
// Entry point of the exporter. With entry.ts (shared with demo.ts) the only code that touches the
// process: argv, environment, streams, signals and the exit code.
import { parseCommandLine, USAGE } from './cli.js';
import { prometheusRulesCommand, sendTestEmailCommand } from './commands/alerts.js';
import { checkConfigCommand } from './commands/check-config.js';
import { explainCommand } from './commands/explain.js';
import type { CommandIO } from './commands/io.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { runEntry, stopOnSignals } from './entry.js';
import { readBuildInfo } from './version.js';

const io: CommandIO = {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  stderrIsTTY: process.stderr.isTTY === true,
};

async function main(): Promise<number | null> {
  const build = readBuildInfo(process.env, process.version);
  const line = parseCommandLine(process.argv.slice(2), process.env);
  switch (line.kind) {
    case 'help':
      io.stdout(USAGE);
      return 0;
    case 'version':
      io.stdout(
        `xrpl-payments-exporter ${build.version} (revision ${build.revision}, node ${build.nodeVersion})\n`,
      );
      return 0;
    case 'error':
      io.stderr(`xrpl-payments-exporter: ${line.message}\n\n${USAGE}`);
      return 2;
  }
  switch (line.command) {
    case 'check-config':
      return checkConfigCommand(line.flags, io);
    case 'explain':
      return explainCommand(line.args[0]!, line.flags, io);
    case 'report':
      return reportCommand(line.flags, io);
    case 'send-test-email':
      return sendTestEmailCommand(line.flags, io);
    case 'prometheus-rules':
      return prometheusRulesCommand(line.flags, io);
    case 'run':
      return runCommand(line.flags, io, build, {
        onSignal: (signal, handler) => process.on(signal, handler),
        stopOnSignals,
      });
  }
}

runEntry('xrpl-payments-exporter', main);
