#!/usr/bin/env node
// `npm run demo`: the demo's only module that touches the process (argv, environment, signals, exit).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_USAGE, Demo, parseDemoArgs } from './demo/index.js';
import { runEntry, stopOnSignals } from './entry.js';
import { createLogger } from './log.js';
import { readBuildInfo } from './version.js';

/** The folder holding package.json above this file (dist/.. when built). */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

async function main(): Promise<number | null> {
  const line = parseDemoArgs(process.argv.slice(2), process.env, packageRoot());
  if (line.kind === 'help') {
    process.stdout.write(DEMO_USAGE);
    return 0;
  }
  if (line.kind === 'error') {
    process.stderr.write(`xrpl-payments-exporter demo: ${line.message}\n\n${DEMO_USAGE}`);
    return 2;
  }
  const { options } = line;
  const logger = createLogger({
    level: options.logLevel,
    format: options.logFormat,
    write: (text) => process.stderr.write(`${text}\n`),
  });
  let demo: Demo;
  try {
    demo = await Demo.start(options, {
      env: process.env,
      logger,
      build: readBuildInfo(process.env, process.version),
      now: () => Date.now(),
      seed: Date.now() >>> 0,
    });
  } catch (err) {
    logger.error('cannot start the demo', { err });
    return 1;
  }
  stopOnSignals(() => demo.stop(), logger);
  return null;
}

runEntry('xrpl-payments-exporter demo', main);
