import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../../src/demo/options.js';

// A package root whose sibling ../shared/fixtures/xrpl exists, and one without it.
const withFixtures = mkdtempSync(join(tmpdir(), 'demo-root-'));
mkdirSync(join(withFixtures, 'pkg'));
mkdirSync(join(withFixtures, 'shared', 'fixtures', 'xrpl'), { recursive: true });
const packageWithFixtures = join(withFixtures, 'pkg');
// A package folder inside a fresh folder, so no `../shared` can exist beside it (the system temporary
// folder may well have a `shared` of its own).
const packageAlone = join(mkdtempSync(join(tmpdir(), 'demo-alone-')), 'pkg');
mkdirSync(packageAlone);

describe('parseDemoArgs', () => {
  it('has the documented defaults', () => {
    expect(parseDemoArgs([], {}, packageAlone)).toEqual({
      kind: 'run',
      options: {
        listenAddress: ':29770',
        logLevel: 'info',
        logFormat: 'logfmt',
        intervalMs: 3000,
        fixturesDir: null,
        fixturesFrom: 'none',
        configFile: null,
      },
    });
  });

  it('takes the flags', () => {
    const line = parseDemoArgs(
      [
        '--web.listen-address=127.0.0.1:0',
        '--log.level=debug',
        '--log.format=json',
        '--interval=1500ms',
        '--config.file=my.yaml',
      ],
      {},
      packageAlone,
    );
    expect(line).toMatchObject({
      kind: 'run',
      options: {
        listenAddress: '127.0.0.1:0',
        logLevel: 'debug',
        logFormat: 'json',
        intervalMs: 1500,
        configFile: 'my.yaml',
      },
    });
  });

  it.each([
    [
      'flag beats env and default',
      ['--fixtures=mine'],
      { XRPL_DEMO_FIXTURES: '/env' },
      resolve('mine'),
      'flag',
    ],
    ['env beats the default', [], { XRPL_DEMO_FIXTURES: '/env' }, resolve('/env'), 'env'],
    ['the sibling folder by default', [], {}, join(withFixtures, 'shared', 'fixtures', 'xrpl'), 'default'],
    [
      'an empty env is unset',
      [],
      { XRPL_DEMO_FIXTURES: '' },
      join(withFixtures, 'shared', 'fixtures', 'xrpl'),
      'default',
    ],
  ])('chooses the fixtures: %s', (_what, argv, env, dir, from) => {
    expect(parseDemoArgs(argv, env, packageWithFixtures)).toMatchObject({
      kind: 'run',
      options: { fixturesDir: dir, fixturesFrom: from },
    });
  });

  it.each([
    [['--interval=fast'], /--interval: expected a duration of at least 1s.*got "fast"/],
    // Faster than the real network can close ledgers: the exporter would refuse them.
    [['--interval=999ms'], /--interval: .*got "999ms"/],
    [['--log.level=loud'], /--log.level: must be one of debug, info, warn, error, got "loud"/],
    [['--log.format=xml'], /--log.format: must be one of logfmt, json, got "xml"/],
    [['--shard=0/2'], /^unknown flag --shard$/],
    [['--interval'], /^--interval needs a value \(--interval=VALUE\)$/],
    [['run'], /^unexpected argument "run"$/],
  ])('rejects %j with a clear message', (argv, message) => {
    const line = parseDemoArgs(argv, {}, packageAlone);
    expect(line.kind).toBe('error');
    expect(line.kind === 'error' && line.message).toMatch(message);
  });

  it('answers --help', () => {
    expect(parseDemoArgs(['-h'], {}, packageAlone)).toEqual({ kind: 'help' });
  });
});
