// A class's chat: `<ChatPath>/<class code>?token=<member token>`. The member's
// token decides who posts, under the name the class knows them by; a removed
// or waiting member gets no chat, students none while the teacher has it off
// (the teacher always has it), a view-only or locked-out student reads but
// cannot post (roles.ts), and the service closes a member's chat when the
// teacher removes them, as it does their board (service.ts, apply).
import type { SessionRegistry } from '../hub/registry';
import type { ChatAdmission, ChatGate } from '../protocols/chat/chat-gate';
import { normalizeClassCode } from './codes';
import { CHAT_OFF } from './api-types';
import { mayChat, permissionsOf } from './roles';
import { CHAT_PROTOCOL_NAME, NOT_LET_IN } from './service';
import type { ClassroomService } from './service';

export function classChatGate(
  classes: ClassroomService,
  registry: SessionRegistry,
  /** Chat connections one member may hold on this hub (ClassStreamsPerMember). */
  maxPerMember: number,
): ChatGate {
  return {
    async admit(room, token, address): Promise<ChatAdmission> {
      const code = normalizeClassCode(room);
      if (!code || code !== room) {
        return { ok: false, status: 404, reason: `there is no class ${room.slice(0, 40)}` };
      }
      const admission = await classes.admit(code, token, address);
      if (!admission.ok) return { ok: false, status: admission.status, reason: admission.reason };
      const { classroom, member } = admission;
      if (member.waiting) return { ok: false, status: 403, reason: NOT_LET_IN };
      if (!mayChat(classroom, member)) return { ok: false, status: 403, reason: CHAT_OFF };
      const held = registry.clients({
        protocol: CHAT_PROTOCOL_NAME,
        room: code,
        userId: member.id,
      });
      if (held.length >= maxPerMember) {
        return { ok: false, status: 429, reason: `at most ${maxPerMember} chats per member` };
      }
      return {
        ok: true,
        userId: member.id,
        name: member.name,
        role: member.role,
        permissions: permissionsOf(classroom, member),
      };
    },
  };
}
