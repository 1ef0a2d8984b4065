import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMANDS } from '../../src/cli.js';
import { mappingKeysAt } from '../../src/config/schema.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const MAIN = join(ROOT, 'dist/main.js');
const EMPTY_DIR = mkdtempSync(join(tmpdir(), 'xrpl-cli-'));

function run(args: string[], cwd = EMPTY_DIR, extraEnv: Record<string, string> = {}) {
  const { SMTP_PASSWORD: _unset, XRPL_EXPORTER_CONFIG: _default, ...env } = process.env;
  const child = spawnSync('node', [MAIN, ...args], {
    cwd,
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    input: '',
  });
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
  it('shows accounts-file values trimmed (`address, name, group` padded by a database export)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xrpl-cli-padded-'));
    writeFileSync(
      join(dir, 'deposits.csv'),
      'address, name, group\nrPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe, bob, treasury\n',
    );
    writeFileSync(
      join(dir, 'config.yaml'),
      'xrpl:\n  servers: [ws://127.0.0.1:1]\naccounts_files: [deposits.csv]\nmetrics: {aggregate_by: group}\n',
    );
    const result = run(['check-config', `--config.file=${join(dir, 'config.yaml')}`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '  - address: rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe\n    name: bob\n    group: treasury\n',
    );
  });

  it('reports an unset variable together with every other error of the file, exit 1', () => {
    const file = join(ROOT, 'test/config/testdata/env-unset-and-more.yaml');
    const result = run(['check-config', `--config.file=${file}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        'xrpl.stale_afer: unknown key (did you mean stale_after?)',
        'accounts: must not be empty',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a config reference, not a template
        'email.smtp.password: environment variable SMTP_PASSWORD is not set (write ${SMTP_PASSWORD:-default} for a default)',
        '',
      ].join('\n'),
    );
  });
});

/** Every key the config schema accepts, as `xrpl.network_id`, `rules[].labels` (read from the schema). */
function schemaKeys(path: PropertyKey[] = [], prefix = ''): string[] {
  return (mappingKeysAt(path) ?? []).flatMap((key) => {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (mappingKeysAt([...path, key]) !== null) return [name, ...schemaKeys([...path, key], name)];
    if (mappingKeysAt([...path, key, 0]) !== null)
      return [name, ...schemaKeys([...path, key, 0], `${name}[]`)];
    return [name];
  });
}

/** Every key of a parsed YAML document, in the same notation (list items as `[]`). */
function documentKeys(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((item) => documentKeys(item, `${prefix}[]`)))];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    return [name, ...documentKeys(inner, name)];
  });
}

describe('check-config prints the effective config with every key', () => {
  const example = join(ROOT, 'examples/config-full.yaml');

  it('examples/config-full.yaml sets every key the schema accepts (so a key added later is checked below)', () => {
    const inExample = new Set(documentKeys(parse(readFileSync(example, 'utf8'))));
    expect(schemaKeys().filter((key) => !inExample.has(key))).toEqual([]);
  });

  it('every key set in examples/config-full.yaml shows in the output', () => {
    const result = run(['check-config', `--config.file=${example}`], EMPTY_DIR, {
      SMTP_PASSWORD: 'p4ssw0rd',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // A heading and a summary, then the YAML after the first blank line.
    const printed = new Set(documentKeys(parse(result.stdout.slice(result.stdout.indexOf('\n\n') + 2))));
    // accounts_files: its rows are printed under accounts, the effective list (printing the files too
    // would list every file account twice, and the output would no longer load).
    const excused = new Set(['accounts_files']);
    const inExample = documentKeys(parse(readFileSync(example, 'utf8')));
    expect(inExample.filter((key) => !printed.has(key) && !excused.has(key))).toEqual([]);
    expect(result.stdout).not.toContain('p4ssw0rd');
  });

  it('an unset xrpl.network_id is printed too, saying what happens without it', () => {
    const file = join(ROOT, 'config.yaml');
    const result = run(['check-config', `--config.file=${file}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /\n {2}network_id: null # unset: the first network a server reports is recorded/,
    );
    expect(result.stdout).toContain('\nverification:\n  interval: 10m\n');
  });
});
