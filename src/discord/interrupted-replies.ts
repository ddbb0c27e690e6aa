/**
 * Tells a member that the bot restarted before it could start their video (see
 * src/animation/interrupted-request.ts) by editing the interaction's original reply, the "thinking…" the
 * deferral left. Only while the token lives: after its 15 minutes the member is not pinged about a request
 * that never started, and the operator's log line says so.
 */
import { Routes, type REST } from 'discord.js';
import type { Clock } from '../clock.ts';
import type { InterruptedReplyPort, InterruptedRequest, InterruptedTelling } from '../animation/interrupted-request.ts';
import { interruptedRequestText } from '../catalogue/render-reply.ts';
import { isDiscordError, REPLY_GONE_CODES, TOKEN_LIFETIME_MS } from './discord-replies.ts';

export class DiscordInterruptedReplies implements InterruptedReplyPort {
  readonly #rest: REST;
  readonly #clock: Clock;

  constructor(rest: REST, clock: Clock) {
    this.#rest = rest;
    this.#clock = clock;
  }

  async tellRefunded(request: InterruptedRequest): Promise<InterruptedTelling> {
    const { applicationId, token, createdAt } = request.reply;
    if (this.#clock.now() - createdAt >= TOKEN_LIFETIME_MS) return 'token_expired';
    try {
      await this.#rest.patch(Routes.webhookMessage(applicationId, token, '@original'), {
        auth: false,
        body: { content: interruptedRequestText(request.units, request.locale), components: [], allowed_mentions: { parse: [] } },
      });
      return 'told';
    } catch (error) {
      // Deleted by the member or a moderator, or the token gave out meanwhile: nothing left to edit.
      if (isDiscordError(error, REPLY_GONE_CODES)) return 'reply_gone';
      throw error;
    }
  }
}
