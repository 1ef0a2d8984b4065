export { ACCOUNTS_SHOWN, chooseAccounts, type RankedAccount } from './account-list.js';
export { AlertEvaluator, type Sample } from './alert-evaluator.js';
export { ALERT_RULES, type AlertRule, NOT_ON_THE_PAGE } from './alert-rules.js';
export { type AccountCounts, type HealthFacts, healthItems } from './health.js';
export { HEALTH_METRICS, HealthMonitor } from './health-monitor.js';
export { ReceiptTrends, TREND_MINUTES } from './trends.js';
