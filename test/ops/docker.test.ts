import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_LISTEN_ADDRESS } from '../../src/cli.js';
import { REPO_ROOT, runTool } from './tools.js';

const DOCKERFILE_UTILS = join(REPO_ROOT, 'node_modules', '.bin', 'dockerfile-utils');

interface ComposeService {
  profiles?: string[];
  ports?: string[];
  entrypoint?: string[];
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  networks?: { default?: { aliases?: string[] } };
}

async function compose(): Promise<{ services: Record<string, ComposeService> }> {
  return parse(await readFile(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, ComposeService>;
  };
}

async function dockerfile(): Promise<string> {
  return readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8');
}

describe('Dockerfile', () => {
  it('has no dockerfile-utils findings', async () => {
    const result = await runTool(DOCKERFILE_UTILS, ['lint', 'Dockerfile']);
    expect(result.output.trim()).toBe('');
    expect(result.code).toBe(0);
  });

  it('is linted for real: a Dockerfile with mistakes gets findings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xrpl-dockerfile-'));
    try {
      await writeFile(
        join(dir, 'Dockerfile'),
        'FROM node:24-trixie-slim\nMAINTAINER someone\nHEALTHCHECK --interval=1 CMD true\n',
      );
      const result = await runTool(DOCKERFILE_UTILS, ['lint', 'Dockerfile'], dir);
      expect(result.output).toMatch(/MAINTAINER/);
      expect(result.output).toContain('missing unit in duration');
      expect(result.code).not.toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('builds on Node 24 slim, installs production dependencies only and runs as node', async () => {
    const text = await dockerfile();
    expect(text).toMatch(/^ARG NODE_IMAGE=node:24-trixie-slim$/m);
    expect(text.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(text).toContain('npm ci --omit=dev');
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/^VOLUME \/var\/lib\/xrpl-payments-exporter$/m);
    expect(text).toMatch(
      /^HEALTHCHECK .*\n.*CMD \["node", "-e", "fetch\('http:\/\/127\.0\.0\.1:29770\/-\/healthy'\)/m,
    );
    expect(text).toContain('ENTRYPOINT ["node", "dist/main.js"]');
    expect(text).toContain('CMD ["--config.file=/etc/xrpl-payments-exporter/config.yaml"]');
  });
});

describe('.dockerignore', () => {
  /** The subset of .dockerignore syntax the file uses: `name` (a top-level path) and `*.ext`. */
  function ignored(patterns: readonly string[], path: string): boolean {
    const top = path.split('/')[0]!;
    return patterns.some((p) => (p.startsWith('*.') ? path.endsWith(p.slice(1)) : p === top || p === path));
  }

  it('keeps everything the Dockerfile copies from the context and drops local build output', async () => {
    const patterns = (await readFile(join(REPO_ROOT, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(
      patterns.every((p) => /^(\*\.\w+|[\w.-]+)$/.test(p)),
      'only simple patterns',
    ).toBe(true);
    const copied = [...(await dockerfile()).matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      m[1]!.split(' '),
    );
    expect(copied).toEqual(expect.arrayContaining(['package-lock.json', 'src', 'config.yaml']));
    for (const path of copied) expect(ignored(patterns, path), path).toBe(false);
    for (const path of ['node_modules', 'dist', '.git', 'test', 'README.md'])
      expect(ignored(patterns, path), path).toBe(true);
  });
});

describe('docker-compose.yml', () => {
  it.each([[[]], [['--profile', 'demo']], [['--profile', 'live']]])(
    'is valid for docker-compose config %j',
    async (profile) => {
      const result = await runTool('docker-compose', [
        '-f',
        'docker-compose.yml',
        ...profile,
        'config',
        '--quiet',
      ]);
      expect(result.code, result.output).toBe(0);
    },
  );

  it('rejects a typo, so the validation above means something', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xrpl-compose-'));
    try {
      await writeFile(
        join(dir, 'docker-compose.yml'),
        'services:\n  a:\n    image: x\n    restrat: always\n',
      );
      const result = await runTool('docker-compose', ['-f', 'docker-compose.yml', 'config', '--quiet'], dir);
      expect(result.code).not.toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs the stack the issue asks for, the demo as a profile answering as "exporter"', async () => {
    const { services } = await compose();
    expect(Object.keys(services).sort()).toEqual(
      ['alertmanager', 'exporter', 'exporter-demo', 'grafana', 'mailpit', 'prometheus'].sort(),
    );
    expect(services.exporter?.profiles).toEqual(['live']);
    expect(services['exporter-demo']?.profiles).toEqual(['demo']);
    expect(services['exporter-demo']?.entrypoint).toEqual(['node', 'dist/demo.js']);
    expect(services['exporter-demo']?.networks?.default?.aliases).toEqual(['exporter']);
    for (const name of ['exporter', 'exporter-demo']) {
      expect(services[name]?.environment).toMatchObject({
        SMTP_HOST: 'mailpit',
        SMTP_PORT: '1025',
        ALERTMANAGER_URL: 'http://alertmanager:9093',
      });
    }
  });
});

describe('the exporter port', () => {
  it('agrees across the CLI default, Dockerfile, compose, the healthcheck and prometheus.yml', async () => {
    const port = DEFAULT_LISTEN_ADDRESS.split(':').at(-1);
    expect(port).toBe('29770');
    const text = await dockerfile();
    expect(text).toMatch(new RegExp(`^EXPOSE ${port}$`, 'm'));
    expect(text).toContain(`127.0.0.1:${port}/-/healthy`);
    const { services } = await compose();
    for (const name of ['exporter', 'exporter-demo']) {
      expect(services[name]?.ports).toEqual([`127.0.0.1:${port}:${port}`]);
    }
    expect(services['exporter-demo']?.command).toContain(`--web.listen-address=:${port}`);
    const prometheus = await readFile(join(REPO_ROOT, 'prometheus', 'prometheus.yml'), 'utf8');
    expect(prometheus).toContain(`targets: ['exporter:${port}']`);
  });
});
