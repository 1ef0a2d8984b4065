import { execFile } from 'node:child_process';
import { startPrometheus } from '../../test/support/processes.js';
import { stopProcess, track } from './exporter.js';

/** Whether Debian's `prometheus` is installed (the figures that need it say so when it is not). */
export async function prometheusAvailable(): Promise<boolean> {
  return new Promise((resolve) => execFile('prometheus', ['--version'], (error) => resolve(error === null)));
}

/** How often the bench's Prometheus scrapes: it parses and stores every sample of every scrape. */
export const PROMETHEUS_INTERVAL_S = 2;

/**
 * A real Prometheus scrapes `target` (HOST:PORT) every PROMETHEUS_INTERVAL_S, asking for gzip as it
 * always does, while `between` runs once a second (a new receipt between scrapes, as on a live
 * network); returns the scrape durations Prometheus itself recorded (`scrape_duration_seconds`), in ms,
 * at least `scrapes` of them. Prometheus measures from its request until it has parsed the body and
 * appended every sample to its database (scrape.go scrapeAndReport reports time.Since(start) after
 * the append), so the figure holds Prometheus' own work, which grows with the samples.
 */
export async function prometheusScrapeDurations(
  dir: string,
  target: string,
  scrapes: number,
  between: () => Promise<void>,
): Promise<number[]> {
  const job = 'bench';
  const config = [
    `global: {scrape_interval: ${PROMETHEUS_INTERVAL_S}s, scrape_timeout: ${PROMETHEUS_INTERVAL_S}s}`,
    'scrape_configs:',
    `  - job_name: ${job}`,
    `    static_configs: [{targets: ['${target}']}]`,
    '',
  ].join('\n');
  const { process: prometheus, address } = await startPrometheus(dir, config);
  track(prometheus);
  try {
    const samples = async (): Promise<number[]> => {
      // A range selector over an instant query returns the raw samples.
      const query = encodeURIComponent(`scrape_duration_seconds{job="${job}"}[10m]`);
      const body = (await (await fetch(`http://${address}/api/v1/query?query=${query}`)).json()) as {
        data?: { result?: Array<{ values: Array<[number, string]> }> };
      };
      return (body.data?.result?.[0]?.values ?? []).map(([, v]) => Number(v) * 1000);
    };
    const deadline = performance.now() + 60_000 + scrapes * PROMETHEUS_INTERVAL_S * 2000;
    // The first scrape after discovery comes a few seconds in; count only complete ones.
    for (;;) {
      await between();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const done = await samples();
      if (done.length > scrapes) return done.slice(1);
      if (performance.now() > deadline) throw new Error(`Prometheus scraped only ${done.length} times`);
    }
  } finally {
    await stopProcess(prometheus);
  }
}
