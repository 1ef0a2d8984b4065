import { test } from 'vitest';
import { loadConfigFile, renderCheckConfigSummary } from '../../src/config/index.js';

test('scratch', async () => {
  for (const f of ['config.yaml', 'examples/config-full.yaml']) {
    const r = await loadConfigFile(f, { SMTP_PASSWORD: 'hunter2' });
    console.log(r.ok ? renderCheckConfigSummary(r.config) : r.errors);
  }
});
