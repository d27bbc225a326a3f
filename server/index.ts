// The hub's public surface: everything a host (the headless CLI, the desktop
// app) or an embedder uses. Nothing outside server/ imports anything else of it.
export { createHub } from './create-hub';
export type { Hub, HubOptions, HubStats } from './create-hub';
export { HubSupervisor } from './host/supervisor';
export type { SupervisorOptions } from './host/supervisor';
export { ConfigError, loadConfig } from './config/load';
export { DamagedDatabaseError } from './hub/database-check';
export type { ConfigSources, LoadedConfig } from './config/load';
export type { HubConfig } from './config/schema';
export type { JoinInfo } from './discovery/join-info';
export { ListenError } from './transport/http-server';
export { dashboardCsp } from './admin/static';
export { createLogger } from './log/logger';
export type { Logger } from './log/logger';
