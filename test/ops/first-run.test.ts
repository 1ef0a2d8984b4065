import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './tools.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
/** What a newcomer reads before the table of contents. */
const FIRST_SCREEN = README.slice(0, README.indexOf('Contents:'));
const CI_RUN = readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8');
/** The Debian packages `.ci/run` may install: `need_apt+=(package)`. */
const CI_PACKAGES = [...CI_RUN.matchAll(/need_apt\+=\(([\w-]+)\)/g)].map((m) => m[1]!);

describe("the README's first screen", () => {
  it('keeps the two set-up commands, and both exist', () => {
    expect(FIRST_SCREEN).toContain('\nnpm ci && npm start\n');
    expect(FIRST_SCREEN).toContain('\n.ci/run\n');
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.start).toContain('config.yaml');
    expect(spawnSync('test', ['-x', join(REPO_ROOT, '.ci/run')]).status).toBe(0);
  });

  it('names every Debian package .ci/run installs, and that this takes root or sudo', () => {
    expect(CI_PACKAGES).toEqual(
      expect.arrayContaining(['prometheus', 'prometheus-alertmanager', 'chromium', 'docker-compose']),
    );
    for (const name of CI_PACKAGES) expect(FIRST_SCREEN).toContain(`\`${name}\``);
    expect(FIRST_SCREEN).toMatch(/needs root, or `sudo`/);
  });

  it('says what npm run demo does without the ../shared fixtures', () => {
    expect(FIRST_SCREEN).toContain('`npm run demo`');
    expect(FIRST_SCREEN).toMatch(/without it \([^)]*\) it synthesises XRP, token and\s+partial payments/);
  });
});

describe('.ci/run for a user who is not root', () => {
  it('without sudo, names the missing packages and stops before npm', () => {
    // A copy of the script on a machine that has none of the tools and no sudo: a PATH with only what the
    // script needs before deciding. As root, the script runs as nobody, like a normal user.
    const dir = mkdtempSync(join(tmpdir(), 'xrpl-ci-run-'));
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, '.ci'));
    copyFileSync(join(REPO_ROOT, '.ci/run'), join(dir, '.ci/run'));
    chmodSync(join(dir, '.ci/run'), 0o755);
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const tool of ['bash', 'id', 'dirname']) {
      const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      symlinkSync(found, join(bin, tool));
    }
    const asRoot = process.getuid?.() === 0;
    const run = spawnSync(join(bin, 'bash'), [join(dir, '.ci/run')], {
      cwd: dir,
      env: { PATH: bin },
      encoding: 'utf8',
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `.ci/run: missing Debian packages: ${CI_PACKAGES.join(' ')}. Run as root or with sudo available, ` +
        `or install them first: apt-get install ${CI_PACKAGES.join(' ')}\n`,
    );
  });
});
