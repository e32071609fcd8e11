// @plinth/dashboard: a plugin dashboard in the browser for an app on createNodeHost.
export { createDashboard } from './create-dashboard.js';
export { serveDashboard } from './serve-dashboard.js';
export type {
  Dashboard,
  DashboardOptions,
  ServeDashboardOptions,
  ServedDashboard,
} from './dashboard-options.js';
