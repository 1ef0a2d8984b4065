import { renderPrometheusRules } from '../alerts/prometheus-rules.js';
import { sendTestEmail } from '../alerts/test-email.js';
import type { Flags } from '../cli.js';
import { configOrExit } from './config.js';
import type { CommandIO } from './io.js';

/** `send-test-email`: exit 0 when the SMTP server accepted it, else 1 with one line saying why. */
export async function sendTestEmailCommand(flags: Flags, io: CommandIO): Promise<number> {
  const config = await configOrExit(flags, io);
  if (!config) return 1;
  const result = await sendTestEmail(config);
  if (result.ok) {
    io.stdout(`test email sent to ${config.email?.to.join(', ')} (Message-ID ${result.messageId})\n`);
    return 0;
  }
  io.stderr(`send-test-email failed: ${result.reason}\n`);
  return 1;
}

/** `prometheus-rules`: Prometheus alerting rules equivalent to the configured rules, as YAML. */
export async function prometheusRulesCommand(flags: Flags, io: CommandIO): Promise<number> {
  const config = await configOrExit(flags, io);
  if (!config) return 1;
  io.stdout(renderPrometheusRules(config));
  return 0;
}
