// Classes on the hub: the store, the service, the page API at /api/classes/,
// the gate that puts class boards under roles on the Yjs endpoint, and
// Expiration (a class nobody has used for that long goes, with its board).
import type { MountedProtocol, ProtocolContext } from '../hub/protocol';
import type { MountedYjs } from '../protocols/yjs/mount';
import type { RoomGate } from '../protocols/yjs/room-gate';
import type { ChatGate } from '../protocols/chat/chat-gate';
import { startPeriodicPurge } from '../store/periodic-purge';
import type { HttpTransport } from '../transport/http-server';
import { codeAttempts } from './code-attempts';
import { classChatGate } from './chat-gate';
import { classGate } from './gate';
import { classroomRoutes } from './http-routes';
import { reportingFaults } from '../hub/faulty-writes';
import { openClassroomStore } from '../store/open-store';
import type { ClassroomStore } from '../store/class-store';
import { ClassroomService } from './service';

export interface MountedClassrooms extends MountedProtocol {
  readonly service: ClassroomService;
  readonly gate: RoomGate;
  /** Each class's chat, below ChatPath. */
  readonly chatGate: ChatGate;
}

/** `boards` is read late: the Yjs endpoint is mounted after this, with the gate. */
export function mountClassrooms(
  transport: HttpTransport,
  context: ProtocolContext,
  boards: () => MountedYjs,
  /** In place of the one chosen from config (tests make one fail for real). */
  classStore?: ClassroomStore,
): MountedClassrooms {
  const { config, now } = context;
  const log = context.log.child({ component: 'classes' });
  const store = reportingFaults(
    classStore ?? openClassroomStore(config, now, context.database),
    context.faults,
    {
      what: 'classes',
      adding: ['create', 'addMember', 'update', 'updateMember', 'claim'],
    },
  );
  const service = new ClassroomService({
    store,
    bus: context.bus,
    registry: context.registry,
    boards: {
      clear: (room) => boards().clear(room),
      exists: (room) => boards().rooms.exists(room),
      discard: (room, options) => boards().rooms.discard(room, options),
      loaded: () => boards().rooms.names(),
    },
    log,
    now,
    maxMembers: config.ClassMaxMembers,
    maxStreamsPerMember: config.ClassStreamsPerMember,
    codes: codeAttempts(config.ClassCodeAttemptsPerMinute, log, now),
    credentials: context.credentials,
  });
  transport.addRoute(classroomRoutes(service, log));

  const purge = startPeriodicPurge(config, now, async (cutoff) => {
    try {
      const gone = await store.purgeExpired(cutoff, (code) => service.online(code).size > 0);
      for (const code of gone) await boards().rooms.discard(code, { deleteStored: true });
      if (gone.length > 0) log.info({ classes: gone.length }, 'expired classes deleted');
    } catch (err) {
      log.error({ err: (err as Error).message }, 'class expiration sweep failed');
    }
  });

  return {
    service,
    gate: classGate(service, config.ClassOpenRooms),
    chatGate: classChatGate(service, context.registry, config.ClassStreamsPerMember),
    async stop() {
      await purge.stop();
      service.stop();
      await store.close();
    },
  };
}
