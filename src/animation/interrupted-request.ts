/**
 * A request the bot acknowledged but never recorded (it died in the few milliseconds between the two): the
 * member sees "thinking…" and nothing else would ever tell them. The request keeps how to answer with its
 * reservation; when reconciling refunds that reservation (both ledgers: nothing reached the provider), this
 * answers the member once, through the chat layer, while the reply can still be edited.
 */
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { RefundedOrphan } from '../quota/quota-service.ts';
import type { TaskRecord } from '../tasks/task-record.ts';

/** Kept with the reservation (opaque to the quota). The token is a credential: never logged. */
const answerSchema = z.object({
  reply: z.object({ applicationId: z.string().min(1), token: z.string().min(1), createdAt: z.number() }),
  locale: z.string().min(2).max(10),
});

export type InterruptedAnswer = z.infer<typeof answerSchema>;

/** What a request stores to be answered if it is never recorded. */
export function interruptedAnswerOf(reply: TaskRecord['interaction'], locale: string): InterruptedAnswer {
  return { reply: { applicationId: reply.applicationId, token: reply.token, createdAt: reply.createdAt }, locale };
}

export interface InterruptedRequest extends InterruptedAnswer {
  taskId: string;
  /** Units given back, for the message. */
  units: number;
}

/** How the member's reply ended: edited, or out of reach (the token's 15 minutes are over, the reply was deleted). */
export type InterruptedTelling = 'told' | 'token_expired' | 'reply_gone';

/** The chat layer's part (Discord: an edit of the original reply). */
export interface InterruptedReplyPort {
  tellRefunded(request: InterruptedRequest): Promise<InterruptedTelling>;
}

/** Hands each refunded orphan to the chat layer, with one log line for the operator. */
export class InterruptedRequests {
  readonly #replies: InterruptedReplyPort;
  readonly #logger: Logger;

  constructor(replies: InterruptedReplyPort, logger: Logger) {
    this.#replies = replies;
    this.#logger = logger;
  }

  async refunded(orphan: RefundedOrphan): Promise<void> {
    const { taskId, units } = orphan;
    const answer = answerSchema.safeParse(orphan.caller);
    if (!answer.success) {
      // Reserved by an older version, or by something other than a request: refunded, nobody to tell.
      this.#logger.warn('refunded a request that was never recorded; no reply to tell it in', { taskId, units });
      return;
    }
    const member = await this.#replies.tellRefunded({ taskId, units, ...answer.data });
    this.#logger.warn('refunded a request that was never recorded', { taskId, units, member });
  }
}
