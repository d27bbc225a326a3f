// The rules that tie the per-client budgets together
// (docs/operating.md#budgets), checked when the config loads: a limit that
// contradicts another would refuse what the hub itself accepts.
import type { ConfigKey, HubConfig } from './schema';
import { formatBytes } from './values';

/**
 * The settings that set an endpoint's largest message, and how much of it the
 * endpoint reads before refusing: the signaling endpoints read up to twice
 * their limit, to refuse with their own reason (transport/routes.ts).
 */
const MESSAGE_LIMITS: [ConfigKey, number][] = [
  ['MaxMessageBytes', 1],
  ['YjsMaxUpdateBytes', 1],
  ['SignalMaxMessageBytes', 2],
];

/** What is wrong with the budgets, as the config error to show; undefined when they hold. */
export function budgetProblem(config: HubConfig): string | undefined {
  for (const [key, read] of MESSAGE_LIMITS) {
    const bytes = config[key] as number;
    if (config.MaxQueuedBytes < 2 * bytes) {
      return `MaxQueuedBytes=${formatBytes(config.MaxQueuedBytes)} must be at least twice ${key}=${formatBytes(bytes)}: a client still reading would be cut off while one such message is on its way; raise MaxQueuedBytes to ${formatBytes(2 * bytes)} or lower ${key}`;
    }
    if (config.InboundBurstBytes < read * bytes) {
      const what =
        read === 1 ? `${key}=${formatBytes(bytes)}` : `${read} × ${key}=${formatBytes(bytes)}`;
      return `InboundBurstBytes=${formatBytes(config.InboundBurstBytes)} must be at least ${what}: one message the hub reads would close its sender; raise InboundBurstBytes to ${formatBytes(read * bytes)} or lower ${key}`;
    }
  }
  if (config.InboundAddressBurstBytes < config.InboundBurstBytes) {
    return `InboundAddressBurstBytes=${formatBytes(config.InboundAddressBurstBytes)} must be at least InboundBurstBytes=${formatBytes(config.InboundBurstBytes)}: one connection could never spend its own budget; raise InboundAddressBurstBytes or lower InboundBurstBytes`;
  }
  return undefined;
}
