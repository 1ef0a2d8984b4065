import { renderEmail } from '../alerts/email.js';
import { Outbox, type OutboxSnapshot } from '../alerts/outbox.js';
import { type AlertSetup, type AlertState, evaluate } from '../alerts/rules.js';
import { createSmtpTransport, type MailTransport } from '../alerts/smtp.js';
import { restoreAlertState } from '../alerts/state.js';
import type { Notification, PaymentEvent } from '../alerts/types.js';
import type { AccountConfig, Config } from '../config/types.js';
import type { Logger } from '../log.js';
import type { RuleStatus } from '../server/index.js';

export interface AlertingHooks {
  onSent(rule: string): void;
  onFailed(rule: string): void;
  onQueueSize(size: number): void;
}

export interface AlertingOptions {
  readonly config: Config;
  readonly accounts: readonly AccountConfig[];
  readonly logger: Logger;
  readonly hooks: AlertingHooks;
  readonly now: () => number;
  readonly restored: { readonly rules: unknown; readonly outbox: unknown } | null;
  /** For tests: a transport other than SMTP from the config. */
  readonly transport?: (config: Config) => MailTransport;
}

/**
 * Glue between the pure rule evaluation and the outbox: payments and clock ticks go in, emails come
 * out. Evaluation never waits for SMTP; the outbox sends in the background and keeps what fails.
 */
export class Alerting {
  private setup: AlertSetup;
  private state: AlertState;
  private outbox: Outbox | null = null;
  private config: Config;
  private readonly lastEmailAt = new Map<string, number>();

  constructor(private readonly options: AlertingOptions) {
    this.config = options.config;
    this.setup = { rules: options.config.rules, accounts: options.accounts };
    const restored = restoreAlertState(options.restored?.rules ?? null);
    if (restored.dropped > 0) {
      options.logger.warn('unreadable alert rule state dropped from the state file', {
        entries: restored.dropped,
      });
    }
    this.state = restored.state;
    this.outbox = this.createOutbox(options.config);
    this.outbox?.restore(options.restored?.outbox);
  }

  onPayment(payment: PaymentEvent): void {
    if (this.setup.rules.length === 0) return;
    this.apply(evaluate(this.setup, this.state, { kind: 'payment', payment }, this.options.now()));
  }

  tick(): void {
    if (this.setup.rules.length === 0) return;
    this.apply(evaluate(this.setup, this.state, { kind: 'tick' }, this.options.now()));
  }

  /** Hot reload: new rules and accounts; a changed SMTP section gets a new transport, the queue is kept. */
  async reconfigure(config: Config, accounts: readonly AccountConfig[]): Promise<void> {
    const smtpChanged = JSON.stringify(config.email) !== JSON.stringify(this.config.email);
    this.config = config;
    this.setup = { rules: config.rules, accounts };
    if (!smtpChanged) return;
    const old = this.outbox;
    await old?.stop();
    this.outbox = this.createOutbox(config);
    if (old) this.outbox?.restore(old.snapshot());
    if (old && !this.outbox && old.size > 0) {
      this.options.logger.warn('email section removed: queued alert emails are kept in the state file only', {
        queued: old.size,
      });
    }
  }

  snapshot(): { rules: AlertState; outbox: OutboxSnapshot | null } {
    return { rules: this.state, outbox: this.outbox?.snapshot() ?? null };
  }

  get queued(): number {
    return this.outbox?.size ?? 0;
  }

  /** Resolves when every queued email has been sent (tests, shutdown with a grace period). */
  idle(): Promise<void> {
    return this.outbox?.idle() ?? Promise.resolve();
  }

  ruleStatuses(): RuleStatus[] {
    return this.setup.rules.map((rule) => {
      let firing = false;
      let nextAllowed: number | null = null;
      for (const entry of [...this.state.windows, ...this.state.silences]) {
        if (entry.rule !== rule.name || entry.alarm.episode === null) continue;
        firing = true;
        if (entry.alarm.lastFiringAt !== null && rule.cooldownMs > 0) {
          const next = (entry.alarm.lastFiringAt + rule.cooldownMs) / 1000;
          nextAllowed = nextAllowed === null ? next : Math.min(nextAllowed, next);
        }
      }
      return {
        name: rule.name,
        kind: rule.kind,
        state: firing ? 'firing' : 'ok',
        lastEmailAt: this.lastEmailAt.get(rule.name) ?? null,
        nextEmailAllowedAt: firing ? nextAllowed : null,
      };
    });
  }

  async stop(): Promise<void> {
    await this.outbox?.stop();
  }

  private apply(result: { state: AlertState; notifications: readonly Notification[] }): void {
    this.state = result.state;
    for (const notification of result.notifications) {
      if (!this.outbox) {
        this.options.logger.error('alert fired but no email section is configured', {
          rule: notification.rule.name,
        });
        continue;
      }
      this.outbox.enqueue(notification);
    }
  }

  private createOutbox(config: Config): Outbox | null {
    const email = config.email;
    if (email === null) return null;
    const { hooks, logger } = this.options;
    const transport = this.options.transport?.(config) ?? createSmtpTransport(email.smtp);
    return new Outbox({
      transport,
      render: (n) => renderEmail(n, { explorerUrl: config.xrpl.explorerUrl, from: email.from, to: email.to }),
      // Next to the state file: a crash right after an accepted email must not send it again.
      ...(config.state.path === null ? {} : { sentJournalPath: `${config.state.path}.alerts-sent` }),
      logger,
      onSent: (rule) => {
        this.lastEmailAt.set(rule, this.options.now() / 1000);
        hooks.onSent(rule);
      },
      onFailed: (rule) => hooks.onFailed(rule),
      onQueueSize: (size) => hooks.onQueueSize(size),
    });
  }
}
