export {
  PullBudget,
  type PullBudgetOptions,
  type BudgetExhaustedMode,
  type BudgetPriority,
  type BudgetKeyStatus,
  type BudgetStatus,
  type BudgetKey,
  type BudgetTarget,
} from './pull-budget.js';
export { openPullBudget, isBudgetUrl, BUDGET_URL_SCHEMES, type OpenPullBudgetOptions } from './open-budget.js';
export { BudgetStoreError } from './store-error.js';
