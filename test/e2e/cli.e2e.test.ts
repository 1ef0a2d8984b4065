import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const MAIN = join(ROOT, 'dist/main.js');
const EMPTY_DIR = mkdtempSync(join(tmpdir(), 'xrpl-cli-'));

function run(args: string[], cwd = EMPTY_DIR) {
  const { SMTP_PASSWORD: _unset, XRPL_EXPORTER_CONFIG: _default, ...env } = process.env;
  const child = spawnSync('node', [MAIN, ...args], { cwd, env, encoding: 'utf8', input: '' });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('command-line errors of the built binary', () => {
  // Every command, so a command added later is covered without touching this test.
  it.each(COMMANDS)('%s: an unknown flag is named with the usage, exit 2', (command) => {
    const result = run([command, '--bogus-flag', ...(command === 'explain' ? ['-'] : [])]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const [first, blank, usage] = result.stderr.split('\n');
    expect(first).toBe('xrpl-payments-exporter: unknown flag --bogus-flag');
    expect(blank).toBe('');
    expect(usage).toBe('Usage:');
    expect(result.stderr).not.toContain('Unknown option');
  });

  it('names a flag given to a command it does not apply to, exit 2', () => {
    const result = run(['check-config', '--account=rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      'xrpl-payments-exporter: --account only applies to explain and report',
    );
  });
});

describe('npm run demo (dist/demo.js)', () => {
  it('names an unknown flag with its usage, exit 2', () => {
    const child = spawnSync('node', [join(ROOT, 'dist/demo.js'), '--bogus-flag'], {
      cwd: EMPTY_DIR,
      encoding: 'utf8',
    });
    expect(child.status).toBe(2);
    expect(child.stderr.split('\n')[0]).toBe('xrpl-payments-exporter demo: unknown flag --bogus-flag');
    expect(child.stderr).toContain('Usage: node dist/demo.js');
  });
});

describe('check-config of the built binary', () => {
  it('reports an unset variable together with every other error of the file, exit 1', () => {
    const file = join(ROOT, 'test/config/testdata/env-unset-and-more.yaml');
    const result = run(['check-config', `--config.file=${file}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        `${file}: invalid configuration`,
        '  xrpl.stale_afer: unknown key (did you mean stale_after?)',
        '  accounts: must not be empty',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a config reference, not a template
        '  email.smtp.password: environment variable SMTP_PASSWORD is not set (write ${SMTP_PASSWORD:-default} for a default)',
        '',
      ].join('\n'),
    );
  });
});
