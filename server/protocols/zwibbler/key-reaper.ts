// Clears the client keys of a hub that died: its clients are gone, so their
// keys must go as if each had left, announced to every member on every hub.
import type { Bus } from '../../cluster/bus';
import type { RedisClient } from '../../store/redis-connection';
import { topicOf } from './live-document';
import type { DocumentEvent } from './live-document';
import { hubDocumentsKey } from './redis-session-keys';
import type { RedisSessionKeys } from './redis-session-keys';

export function keyReaper(redis: RedisClient, keys: RedisSessionKeys, bus: Bus) {
  return async (deadHub: string): Promise<void> => {
    for (const documentId of await redis.smembers(hubDocumentsKey(deadHub))) {
      const cleared = await keys.releaseHub(documentId, deadHub);
      if (cleared.length === 0) continue;
      const event: DocumentEvent = { kind: 'keys', origin: '', keys: cleared, hub: bus.hubId };
      bus.publish(topicOf(documentId), event);
    }
    await redis.del(hubDocumentsKey(deadHub));
  };
}
