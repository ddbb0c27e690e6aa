/**
 * The deferral of a request ("the bot is thinking…"), sent straight to Discord's interaction callback endpoint
 * rather than through discord.js's REST client (`interaction.deferReply()`), which queues every request per
 * route for its rate limits and wraps each response: about 0.2 ms of CPU per deferral more than this one
 * request, measured over bursts of 1000 (`npm run bench -- --only=burst`). In a burst every member's
 * deferral waits for the CPU spent on the ones before it, so that difference is what the last member waits for.
 *
 * Nothing is lost by skipping the queue: the callback is authenticated by the interaction's own token in
 * its path (so the bot token is not sent), and interaction endpoints are not bound to the bot's rate limits
 * (https://discord.com/developers/docs/interactions/receiving-and-responding#responding-to-an-interaction).
 * Afterwards the interaction is marked deferred exactly as discord.js marks it, so its editReply and
 * followUp work as usual.
 */
import { DefaultUserAgent, DiscordAPIError, InteractionResponseType, RESTJSONErrorCodes, Routes, type RESTOptions } from 'discord.js';
import { Agent, request } from 'undici';
import { z } from 'zod';

/** What of an interaction a deferral reads and marks: a discord.js `RepliableInteraction` is one. */
export interface DeferrableInteraction {
  readonly id: string;
  readonly token: string;
  readonly client: { readonly rest: { readonly options: Pick<RESTOptions, 'api' | 'version'> } };
  deferred: boolean;
  replied: boolean;
  ephemeral: boolean | null;
}

/** Within Discord's 3 s: a deferral that has had no answer by then is lost anyway. */
const ANSWER_TIMEOUT_MS = 3_000;
/** Discord's error body; anything else (a proxy's HTML page) still becomes a DiscordAPIError with the status. */
const errorBody = z.object({ code: z.number(), message: z.string() }).loose();

/**
 * The most connections deferrals open to Discord at once. A burst's deferrals are sent together (a group of
 * bookings commits at once), and without a cap each would open a connection of its own: over HTTPS that is a
 * TLS handshake each, about 1 to 2 ms of this process's CPU, a second or more for a burst of 1000 before the
 * last member is answered. Past the cap a deferral waits for another's answer, a round trip to Discord more.
 * Measured against the stand-ins (plain HTTP, so without the handshakes; `npm run bench -- --only=burst`):
 * - bursts of 1000: p99 286 to 359 ms with a cap of 64, 336 to 406 without; a cap of 128 did as well as 64
 *   (p99 over the defer-only bot's in the same round, median of 5 rounds, two runs: SQLite 1.03 and 1.04×
 *   against 1.20 and 1.08×, Redis 1.22 and 1.36× against 1.08 and 1.52×);
 * - bursts of 100 straight after a start, when the pool is empty (as it is after any quiet spell longer than
 *   the keep-alive): with 64, the last 36 members waited for a connection. p99 over the defer-only bot's,
 *   median of 15 rounds, from 64 to 128 in two runs: SQLite 1.47 → 1.26× and 1.31 → 1.12×, Redis 1.72 → 1.29×
 *   and 1.50 → 1.44×; 256 did no better than 128.
 */
export const DEFERRAL_CONNECTIONS = 128;

/** Its own keep-alive pool, kept between bursts. */
let dispatcher: Agent | undefined;

/**
 * Defers `interaction` publicly (the reply everyone in the channel will see the video in). Rejects with
 * discord.js's `DiscordAPIError` when Discord refuses (10062 once the 3 s are over), as `deferReply` does.
 * A 5xx or a dropped connection is tried once more; "already acknowledged" (40060) on that second try means
 * the first one arrived.
 */
export async function deferPublicly(interaction: DeferrableInteraction): Promise<void> {
  if (interaction.deferred || interaction.replied) throw new Error('this interaction has already been answered');
  const { api, version } = interaction.client.rest.options;
  const url = `${api}/v${version}${Routes.interactionCallback(interaction.id, interaction.token)}?with_response=false`;
  const body = JSON.stringify({ type: InteractionResponseType.DeferredChannelMessageWithSource, data: { flags: 0 } });
  const first = await send(url, body).catch((error: unknown) => ({ failed: error }));
  if ('failed' in first || first.status >= 500) {
    const second = await send(url, body);
    if (!(second.status === 400 && second.code === RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged))
      throwIfRefused(second, url, body);
  } else {
    throwIfRefused(first, url, body);
  }
  interaction.deferred = true;
  interaction.ephemeral = false;
}

interface Answer {
  status: number;
  code: number | undefined;
  error: z.infer<typeof errorBody> | undefined;
}

async function send(url: string, body: string): Promise<Answer> {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': DefaultUserAgent },
    body,
    dispatcher: (dispatcher ??= new Agent({
      connections: DEFERRAL_CONNECTIONS,
      headersTimeout: ANSWER_TIMEOUT_MS,
      bodyTimeout: ANSWER_TIMEOUT_MS,
    })),
  });
  if (response.statusCode < 300) {
    await response.body.dump();
    return { status: response.statusCode, code: undefined, error: undefined };
  }
  const parsed = errorBody.safeParse(await response.body.json().catch(() => undefined));
  return { status: response.statusCode, code: parsed.data?.code, error: parsed.data };
}

function throwIfRefused(answer: Answer, url: string, body: string): void {
  if (answer.status < 300) return;
  const raw = answer.error ?? { code: answer.status, message: `${answer.status} from Discord` };
  // The same error discord.js would have thrown, so every caller's handling (and the log scrubbing of the
  // token in `url`) stays as it is.
  throw new DiscordAPIError(raw, raw.code, answer.status, 'POST', url, { body: JSON.parse(body) as unknown, files: undefined });
}
