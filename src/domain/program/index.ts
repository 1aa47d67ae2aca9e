/** The program rules: editions, sales aggregates, tier and benefit evaluation, and actions. */
export * from './edition.js';
export * from './aggregates.js';
export * from './metrics.js';
export * from './tiers.js';
export * from './engagement.js';
export * from './benefits.js';
export * from './evaluate.js';
export * from './results.js';
export * from './actions.js';
export * from './staff-actions.js';
export { addDays, addMonths, formatDate, formatDateTime } from './dates.js';
export { formatUsdCents } from './format.js';
export * from './monthly.js';
