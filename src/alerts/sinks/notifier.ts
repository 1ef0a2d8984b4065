/*
 * Routes rule notifications to the configured sinks, each through its own outbox, and keeps them across
 * reloads and restarts. Nothing here waits for a delivery: evaluation and reloads go on while SMTP or an
 * Alertmanager hangs.
 *
 * A sink removed by a reload keeps delivering what it had queued, with its previous settings, then
 * closes; added back before that, it takes over again with the new settings. Emails queued in the state
 * file of a run whose config has no email section any more are kept in the state file (and said so
 * loudly) until an email section comes back. Alertmanager alerts queued for a URL no longer configured
 * (by reload or restart) go to the URLs configured now instead.
 */

import type { AlertmanagerConfig, Config, RuleConfig } from '../../config/types.js';
import { sameJson } from '../../json.js';
import type { Logger } from '../../log.js';
import { renderEmail } from '../email.js';
import type { AlertState } from '../rules.js';
import type { Notification } from '../types.js';
import {
  alertmanagerEntry,
  alertmanagerTargets,
  createAlertmanagerSink,
  retargetAlert,
} from './alertmanager.js';
import {
  type ActiveCondition,
  type AlertContext,
  type AmAlert,
  activeConditions,
  type TrackedAlert,
  toAmAlert,
  trackConditions,
} from './alertmanager-alerts.js';
import { createEmailSink, EMAIL_TARGET, type EmailItem, emailEntry } from './email.js';
import type { Outbox, OutboxSnapshot } from './outbox.js';
import { alertmanagerOutbox, emailOutbox } from './outboxes.js';
import { createSmtpTransport, type MailTransport } from './smtp.js';
import { isTrackedAlert, readSnapshot } from './snapshot.js';
import type { DeadLetter, Sink, SinkName, TargetStatus } from './types.js';

export interface NotifierHooks {
  /** A notification was accepted by a sink (the state file should record it now). */
  delivered(sink: SinkName, rule: string, target: string): void;
  /** A delivery attempt of one notification failed (it is retried unless it became a dead letter). */
  failed(sink: SinkName, rule: string, target: string): void;
  queued(sink: SinkName, size: number): void;
  deadLetter(letter: DeadLetter): void;
  recipientRefused(rule: string): void;
}

export interface NotifierOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Unix ms. */
  readonly now: () => number;
  readonly hooks: NotifierHooks;
  /** The `outbox` part of the state file, or null. */
  readonly restored: unknown;
  /** For tests: a transport other than SMTP from the config. */
  readonly transport?: (config: Config) => MailTransport;
  /** For tests: retry timing. */
  readonly retry?: { readonly initialMs: number; readonly maxMs: number };
}

/** The state file's `outbox` part. Version 1 (the first release) was the email outbox alone. */
export interface NotifierSnapshot {
  readonly version: 2;
  readonly email: OutboxSnapshot<EmailItem> | null;
  readonly alertmanager: OutboxSnapshot<AmAlert> | null;
  /** Window and silence alerts Alertmanager was told are firing. */
  readonly active: readonly TrackedAlert[];
}

export class Notifier {
  private config: Config;
  private email: Outbox<EmailItem> | null = null;
  private alertmanager: Outbox<AmAlert> | null = null;
  /** Sinks removed by a reload that still deliver what they had queued. */
  private readonly retiringEmail = new Set<Outbox<EmailItem>>();
  private readonly retiringAlertmanager = new Set<Outbox<AmAlert>>();
  /** Emails from the state file with no email section to send them. */
  private orphanEmail: OutboxSnapshot<EmailItem> | null = null;
  private active: TrackedAlert[] = [];

  constructor(private readonly options: NotifierOptions) {
    this.config = options.config;
    const restored = readSnapshot(options.restored, options.logger);
    this.email = this.createEmail(this.config);
    if (this.email !== null) this.email.restore(restored.email);
    else if (restored.email !== null && restored.email.queued.length > 0) {
      this.orphanEmail = restored.email;
      options.logger.error(
        'alert emails are queued in the state file but no email section is configured: they stay there until one is',
        { queued: restored.email.queued.length },
      );
    }
    this.alertmanager = this.createAlertmanager(this.config);
    if (this.alertmanager !== null && this.config.alertmanager !== null) {
      this.alertmanager.restore(restored.alertmanager);
      // The URLs may have changed since the state file was written.
      this.retarget(this.alertmanager, this.config.alertmanager);
      this.active = restored.active.filter(isTrackedAlert);
    } else if (restored.alertmanager !== null && restored.alertmanager.queued.length > 0) {
      options.logger.warn(
        'Alertmanager alerts queued in the state file are dropped: no alertmanager section',
        {
          dropped: restored.alertmanager.queued.length,
        },
      );
    }
  }

  /** Hands a rule's notification to its sinks; Alertmanager takes payments here, conditions in track(). */
  notify(notification: Notification, rule: RuleConfig): void {
    if (rule.notify.includes('email')) {
      if (this.email === null) {
        this.options.logger.error('alert fired but no email section is configured', { rule: rule.name });
      } else {
        this.email.enqueue(emailEntry(notification));
      }
    }
    if (rule.notify.includes('alertmanager') && notification.kind === 'payment') {
      this.post(toAmAlert(notification, rule, this.alertContext()), rule.name, 'once');
    }
  }

  /** Window and silence alerts from the rule state: new ones fire, due ones are re-sent, ended ones resolve. */
  track(state: AlertState, now: number): void {
    if (this.alertmanager === null) return;
    const context = this.alertContext();
    const current = activeConditions(this.config.rules, state, state.clock ?? now, context);
    this.apply(current, now);
  }

  /** Hot reload: never waits for a delivery in flight. */
  reconfigure(config: Config): void {
    const previous = this.config;
    this.config = config;
    const explorerChanged = previous.xrpl.explorerUrl !== config.xrpl.explorerUrl;
    if (!sameJson(previous.email, config.email) || explorerChanged) this.reconfigureEmail(config);
    if (!sameJson(previous.alertmanager, config.alertmanager)) {
      this.reconfigureAlertmanager(config, previous.alertmanager);
    }
  }

  snapshot(): NotifierSnapshot {
    return {
      version: 2,
      email: this.email?.snapshot() ?? this.orphanEmail ?? merged([...this.retiringEmail]),
      alertmanager: this.alertmanager?.snapshot() ?? merged([...this.retiringAlertmanager]),
      active: this.active,
    };
  }

  /** Per sink target: queue, last success, last error; and the latest dead letters, newest first. */
  status(): { targets: TargetStatus[]; deadLetters: DeadLetter[] } {
    const targets: TargetStatus[] = [];
    if (this.email !== null) targets.push(...this.email.status([EMAIL_TARGET]));
    else if (this.orphanEmail !== null) {
      targets.push({
        sink: 'email',
        target: EMAIL_TARGET,
        queued: this.orphanEmail.queued.length,
        lastSuccessAt: null,
        lastError: { at: this.options.now() / 1000, message: 'no email section configured' },
      });
    }
    const am = this.config.alertmanager;
    if (this.alertmanager !== null && am !== null)
      targets.push(...this.alertmanager.status(alertmanagerTargets(am)));
    for (const outbox of this.retiringOutboxes()) targets.push(...outbox.status([]));
    const deadLetters = [this.email, this.alertmanager, ...this.retiringOutboxes()]
      .flatMap((o) => o?.dead ?? [])
      .sort((a, b) => b.at - a.at)
      .slice(0, 50);
    return { targets, deadLetters };
  }

  queued(sink: SinkName): number {
    if (sink === 'email') return this.email?.size ?? this.orphanEmail?.queued.length ?? 0;
    return this.alertmanager?.size ?? 0;
  }

  /** Resolves when every sink has delivered what it had queued (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([
      this.email?.idle(),
      this.alertmanager?.idle(),
      ...this.retiringOutboxes().map((o) => o.idle()),
    ]);
  }

  async stop(): Promise<void> {
    await Promise.all([
      this.email?.stop(),
      this.alertmanager?.stop(),
      ...this.retiringOutboxes().map((o) => o.stop()),
    ]);
  }

  private retiringOutboxes(): (Outbox<EmailItem> | Outbox<AmAlert>)[] {
    return [...this.retiringEmail, ...this.retiringAlertmanager];
  }

  private apply(
    current: readonly ActiveCondition[],
    now: number,
    am: AlertmanagerConfig | null = this.config.alertmanager,
  ): void {
    if (am === null) return;
    const { tracked, posts } = trackConditions(this.active, current, now, am.resendIntervalMs);
    this.active = tracked;
    for (const alert of posts) this.post(alert, alert.labels.rule ?? '', 'latest', am);
  }

  /** One alert to every configured Alertmanager. */
  private post(
    alert: AmAlert,
    rule: string,
    mode: 'once' | 'latest',
    am: AlertmanagerConfig | null = this.config.alertmanager,
  ): void {
    if (this.alertmanager === null || am === null) return;
    for (const target of alertmanagerTargets(am)) {
      this.alertmanager.enqueue(alertmanagerEntry(alert, target, rule, mode));
    }
  }

  private reconfigureEmail(config: Config): void {
    const old = this.email;
    const { logger } = this.options;
    if (config.email === null) {
      this.email = null;
      if (old === null) return;
      if (old.size > 0) {
        logger.warn(
          'email section removed: queued alert emails are still sent with the previous SMTP settings',
          {
            queued: old.size,
          },
        );
      }
      this.retire(old, this.retiringEmail);
      return;
    }
    const outbox = old ?? this.revive(this.retiringEmail);
    if (outbox === null) {
      this.email = this.createEmail(config);
      if (this.orphanEmail !== null) {
        logger.info('email section configured: sending the alert emails kept in the state file', {
          queued: this.orphanEmail.queued.length,
        });
        this.email?.restore(this.orphanEmail);
        this.orphanEmail = null;
      }
      return;
    }
    if (old === null) {
      logger.info('email section back: the alert emails still queued are sent with the new settings', {
        queued: outbox.size,
      });
    }
    this.email = outbox;
    outbox.replaceSink(this.emailSink(config));
  }

  private reconfigureAlertmanager(config: Config, previous: AlertmanagerConfig | null): void {
    const old = this.alertmanager;
    if (config.alertmanager === null) {
      // Tell the Alertmanagers the firing alerts ended, then let the old outbox deliver and close.
      this.apply([], this.options.now(), previous);
      this.alertmanager = null;
      this.active = [];
      if (old !== null) this.retire(old, this.retiringAlertmanager);
      return;
    }
    const outbox = old ?? this.revive(this.retiringAlertmanager);
    if (outbox === null) {
      this.alertmanager = this.createAlertmanager(config);
      return;
    }
    this.alertmanager = outbox;
    outbox.replaceSink(createAlertmanagerSink({ config: config.alertmanager, now: this.options.now }));
    if (
      previous === null ||
      !sameJson(alertmanagerTargets(previous), alertmanagerTargets(config.alertmanager))
    ) {
      this.retarget(outbox, config.alertmanager);
    }
  }

  /** Queued alerts go to the current URLs, each once; a URL no longer configured is never tried again. */
  private retarget(outbox: Outbox<AmAlert>, am: AlertmanagerConfig): void {
    const { added, dropped } = outbox.retarget(alertmanagerTargets(am), retargetAlert);
    if (added > 0 || dropped > 0) {
      this.options.logger.info('queued Alertmanager alerts re-targeted to the configured URLs', {
        queued_for_new_urls: added,
        dropped_for_removed_urls: dropped,
      });
    }
  }

  private retire<P>(outbox: Outbox<P>, retiring: Set<Outbox<P>>): void {
    retiring.add(outbox);
    void outbox.drain().then(() => retiring.delete(outbox));
  }

  /**
   * A section back while its removed outbox still delivers: that outbox takes over again, with its queue,
   * delivered keys and dead letters, so nothing is lost from the state file or sent twice.
   */
  private revive<P>(retiring: Set<Outbox<P>>): Outbox<P> | null {
    for (const outbox of retiring) {
      if (outbox.reopen()) {
        retiring.delete(outbox);
        return outbox;
      }
    }
    return null;
  }

  private createEmail(config: Config): Outbox<EmailItem> | null {
    if (config.email === null) return null;
    const { hooks } = this.options;
    const { transport, render } = this.emailParts(config);
    return emailOutbox(transport, render, {
      ...this.tuning(config, 'alerts-sent'),
      events: {
        onDelivered: (rule, target) => hooks.delivered('email', rule, target),
        onAttemptFailed: (rule, target) => hooks.failed('email', rule, target),
        onDeadLetter: (letter) => hooks.deadLetter(letter),
        onRefused: (rule) => hooks.recipientRefused(rule),
        onQueueSize: (size) => hooks.queued('email', size),
      },
    });
  }

  private emailSink(config: Config): Sink<EmailItem> {
    const { transport, render } = this.emailParts(config);
    return createEmailSink(transport, render);
  }

  private emailParts(config: Config) {
    const email = config.email;
    if (email === null) throw new Error('emailParts() needs an email section');
    const transport = this.options.transport?.(config) ?? createSmtpTransport(email.smtp);
    const context = { explorerUrl: config.xrpl.explorerUrl, from: email.from, to: email.to };
    return { transport, render: (n: Notification) => renderEmail(n, context) };
  }

  private createAlertmanager(config: Config): Outbox<AmAlert> | null {
    if (config.alertmanager === null) return null;
    const { hooks } = this.options;
    return alertmanagerOutbox(config.alertmanager, {
      ...this.tuning(config, 'alertmanager-sent'),
      events: {
        onDelivered: (rule, target) => hooks.delivered('alertmanager', rule, target),
        onAttemptFailed: (rule, target) => hooks.failed('alertmanager', rule, target),
        onDeadLetter: (letter) => hooks.deadLetter(letter),
        onQueueSize: (size) => hooks.queued('alertmanager', size),
      },
    });
  }

  /** Shared outbox settings; the journal sits next to the state file (a crash right after a delivery must not repeat it). */
  private tuning(config: Config, journal: string) {
    const { logger, now, retry } = this.options;
    return {
      logger,
      now,
      ...(config.state.path === null ? {} : { sentJournalPath: `${config.state.path}.${journal}` }),
      ...(retry === undefined ? {} : { retryInitialMs: retry.initialMs, retryMaxMs: retry.maxMs }),
    };
  }

  private alertContext(): AlertContext {
    return {
      explorerUrl: this.config.xrpl.explorerUrl,
      resendIntervalMs: this.config.alertmanager?.resendIntervalMs ?? 60_000,
    };
  }
}

/** What outboxes retired by a reload still hold, so a restart before they finish loses nothing. */
function merged<P>(outboxes: readonly Outbox<P>[]): OutboxSnapshot<P> | null {
  if (outboxes.length === 0) return null;
  const parts = outboxes.map((o) => o.snapshot());
  return {
    version: 2,
    queued: parts.flatMap((p) => p.queued),
    sent: parts.flatMap((p) => p.sent),
    dead: parts.flatMap((p) => p.dead),
  };
}
