import { type AlertSetup, type AlertState, evaluate } from '../alerts/rules.js';
import { Notifier, type NotifierHooks, type NotifierSnapshot } from '../alerts/sinks/notifier.js';
import type { MailTransport } from '../alerts/sinks/smtp.js';
import type { DeadLetter, TargetStatus } from '../alerts/sinks/types.js';
import { restoreAlertState } from '../alerts/state.js';
import type { Notification, PaymentEvent } from '../alerts/types.js';
import type { AccountConfig, Config } from '../config/types.js';
import type { Logger } from '../log.js';
import type { ExporterMetrics } from '../metrics/index.js';
import type { RuleStatus } from '../server/index.js';

export interface AlertingOptions {
  readonly config: Config;
  readonly accounts: readonly AccountConfig[];
  readonly logger: Logger;
  readonly hooks: NotifierHooks;
  readonly now: () => number;
  readonly restored: { readonly rules: unknown; readonly outbox: unknown } | null;
  /** For tests: a transport other than SMTP from the config. */
  readonly transport?: (config: Config) => MailTransport;
}

/**
 * Glue between the pure rule evaluation and the sinks: payments and clock ticks go in, notifications go
 * out. Evaluation never waits for a sink; the outboxes deliver in the background and keep what fails.
 */
export class Alerting {
  private setup: AlertSetup;
  private state: AlertState;
  private config: Config;
  private readonly notifier: Notifier;
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
    const { hooks } = options;
    this.notifier = new Notifier({
      config: options.config,
      logger: options.logger,
      now: options.now,
      restored: options.restored?.outbox ?? null,
      ...(options.transport === undefined ? {} : { transport: options.transport }),
      hooks: {
        ...hooks,
        delivered: (sink, rule, target) => {
          if (sink === 'email') this.lastEmailAt.set(rule, options.now() / 1000);
          hooks.delivered(sink, rule, target);
        },
      },
    });
  }

  onPayment(payment: PaymentEvent): void {
    if (this.setup.rules.length === 0) return;
    this.apply(evaluate(this.setup, this.state, { kind: 'payment', payment }, this.options.now()));
  }

  tick(): void {
    if (this.setup.rules.length === 0 && this.config.alertmanager === null) return;
    const now = this.options.now();
    this.apply(evaluate(this.setup, this.state, { kind: 'tick' }, now));
    this.notifier.track(this.state, now);
  }

  /** Hot reload: new rules, accounts and sinks; queued notifications are kept; never waits for a delivery. */
  reconfigure(config: Config, accounts: readonly AccountConfig[]): void {
    this.config = config;
    this.setup = { rules: config.rules, accounts };
    this.notifier.reconfigure(config);
  }

  snapshot(): { rules: AlertState; outbox: NotifierSnapshot } {
    return { rules: this.state, outbox: this.notifier.snapshot() };
  }

  sinks(): { targets: TargetStatus[]; deadLetters: DeadLetter[] } {
    return this.notifier.status();
  }

  /** Resolves when every queued notification has been delivered (tests, shutdown with a grace period). */
  idle(): Promise<void> {
    return this.notifier.idle();
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
    await this.notifier.stop();
  }

  private apply(result: { state: AlertState; notifications: readonly Notification[] }): void {
    this.state = result.state;
    if (result.notifications.length === 0) return;
    const rules = new Map(this.setup.rules.map((r) => [r.name, r]));
    for (const notification of result.notifications) {
      const rule = rules.get(notification.rule.name);
      if (rule !== undefined) this.notifier.notify(notification, rule);
    }
  }
}

/**
 * Sink events as metrics; an accepted notification asks for a state-file write. What keeps a restart from
 * sending it again is the outbox's sent-journal, appended synchronously right after the server's reply;
 * the state-file write (of the shrunk queue) is coalesced by the store, however many are accepted at once.
 */
export function alertingHooks(metrics: ExporterMetrics, saveState: () => void): NotifierHooks {
  return {
    delivered: (sink, rule) => {
      if (sink === 'email') metrics.emailSent(rule);
      else metrics.alertmanagerSent(rule);
      saveState();
    },
    failed: (sink, rule, target) => {
      if (sink === 'email') metrics.emailFailed(rule);
      else metrics.alertmanagerError(target);
    },
    queued: (sink, size) => {
      if (sink === 'email') metrics.setEmailsQueued(size);
      else metrics.setAlertmanagerQueued(size);
    },
    deadLetter: (letter) => metrics.deadLetter(letter.sink, letter.rule),
    recipientRefused: (rule) => metrics.emailRecipientRefused(rule),
  };
}
