/**
 * What the end-to-end tests share about the bot's traffic with the Discord stand-in: sending /animate with a
 * picture as a member does, finding the answers the bot sent, and reading their bodies.
 */
import type {
  CommandInteractionInput,
  CommandOptionInput,
  DiscordStandIn,
  DispatchedInteraction,
  RecordedRequest,
} from './discord-stand-in.ts';
import type { BotHarness } from './bot-harness.ts';
import type { BotProcess } from './bot-process.ts';
import { makePng } from './image-fixtures.ts';

/** Waits (in real time) until `condition` holds; fails saying `what` did not happen. */
export async function until(condition: () => boolean, timeoutMs: number, what: string, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface AnimateInput extends Omit<CommandInteractionInput, 'commandName' | 'options' | 'attachments'> {
  /** Default: 'the waves roll in slowly'. */
  prompt?: string;
  /** Default: a 640x480 PNG, whose size the attachment reports. */
  picture?: Buffer;
  /** The attachment's file name as the member sent it. Default: photo.png. */
  filename?: string;
  /** The name the stand-in hosts it under. Default: a random one, so two pictures never share a link. */
  hostedName?: string;
  /** Default: image/png. */
  contentType?: string;
  /** The attachment's snowflake. Default: 900000000000000001. */
  attachmentId?: string;
  /** A host name to put in the picture's link instead of the stand-in's (the stand-in still serves it). */
  host?: string;
  /** More options after the image and the prompt. */
  options?: CommandOptionInput[];
}

/** A member runs /animate with a picture attached, as the Discord client sends it. */
export function dispatchAnimate(discord: DiscordStandIn, input: AnimateInput = {}): DispatchedInteraction {
  const {
    prompt = 'the waves roll in slowly',
    picture: given,
    filename = 'photo.png',
    hostedName = `${Math.random().toString(36).slice(2)}.png`,
    contentType = 'image/png',
    attachmentId = '900000000000000001',
    host,
    options = [],
    ...interaction
  } = input;
  const picture = given ?? makePng(640, 480);
  const hosted = new URL(discord.hostAttachment(hostedName, picture, contentType));
  if (host !== undefined) hosted.hostname = host;
  const url = hosted.href;
  return discord.dispatchCommand({
    commandName: 'animate',
    ...interaction,
    options: [{ name: 'image', type: 11, value: attachmentId }, { name: 'prompt', type: 3, value: prompt }, ...options],
    attachments: [
      {
        id: attachmentId,
        filename,
        size: picture.length,
        url,
        proxy_url: url,
        content_type: contentType,
        ...(given === undefined ? { width: 640, height: 480 } : {}),
      },
    ],
  });
}

/**
 * /animate, once the provider has answered its first poll: the provider's task id is stored and the
 * generation is running there (what a crash or a stop mid-generation is about). Resolves with the token.
 */
export async function animateUntilPolled(h: BotHarness): Promise<string> {
  const { token } = dispatchAnimate(h.discord, {
    prompt: 'the lantern flickers',
    picture: makePng(512, 512),
    filename: 'restart.png',
    hostedName: 'restart.png',
    attachmentId: '900000000000000002',
  });
  await h.video.waitForSubmission(20_000);
  await until(() => h.video.polls.length > 0, 20_000, 'the first poll');
  return token;
}

/**
 * The video edit of `token`'s reply made by the restarted bot (`second`); when it never comes, the failure
 * carries both runs' output, which is where the reason is.
 */
export function videoAfterRestart(
  discord: DiscordStandIn,
  token: string,
  { first, second }: { first: BotProcess; second: BotProcess },
): Promise<RecordedRequest> {
  return discord
    .waitForRequest((r) => r.method === 'PATCH' && r.path.includes(token) && r.path.endsWith('@original') && r.files.length > 0, 30_000)
    .catch((error: unknown) => {
      throw new Error(
        `${String(error)}\n--- first run ---\n${first.stdout}${first.stderr}\n--- second run ---\n${second.stdout}${second.stderr}`,
      );
    });
}

/** /animate whose interaction token expires while the provider generates: the bot can no longer edit the reply. */
export async function expiredDuringGeneration(h: BotHarness, send: () => DispatchedInteraction): Promise<string> {
  h.video.nextTask({ pollsBeforeDone: 3, etaSeconds: 1 });
  const submitted = h.video.waitForSubmission(8_000);
  const { token } = send();
  await submitted;
  h.discord.expireInteraction(token);
  return token;
}

/** The interaction's initial response (`POST …/callback`): a deferral, a private answer or a form. */
export const initialResponse = (discord: DiscordStandIn, token: string, timeoutMs = 8_000): Promise<RecordedRequest> =>
  discord.waitForRequest((r) => r.method === 'POST' && r.path.includes(token) && r.path.endsWith('/callback'), timeoutMs);

/** The edit of the interaction's reply that carried the video, accepted by Discord. */
export const videoEdit = (discord: DiscordStandIn, token: string, timeoutMs = 20_000): Promise<RecordedRequest> =>
  discord.waitForRequest(
    (r) => r.method === 'PATCH' && r.path.includes(token) && r.path.endsWith('/@original') && r.files.length > 0 && r.status === 200,
    timeoutMs,
  );

export interface Button {
  type: number;
  style: number;
  label: string;
  custom_id: string;
}

/** A message body as the bot sends it. */
export interface MessageBody {
  content?: string;
  flags?: number;
  components?: { type: number; components: Button[] }[];
  allowed_mentions?: unknown;
}

export const bodyOf = (r: RecordedRequest) => (r.body ?? {}) as MessageBody;
export const contentOf = (r: RecordedRequest) => bodyOf(r).content ?? '';
export const buttonsOf = (body: MessageBody) => (body.components ?? []).flatMap((row) => row.components);
/** An interaction's initial response: `{ type, data }`. */
export const callbackOf = (r: RecordedRequest) => (r.body ?? {}) as { type: number; data?: MessageBody };
