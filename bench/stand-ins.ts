/**
 * The project's own stand-ins for Discord and the video API (test/support/), set up for measuring: many
 * distinct members, one small picture on the stand-in CDN, and readings of what each side received.
 * Discord's runs in the bench's event loop, the provider's on a thread of its own; each bot runs in its
 * own process (bot-process.ts).
 */
import { DiscordStandIn, type DispatchedInteraction, type RecordedRequest } from '../test/support/discord-stand-in.ts';
import { makePng } from '../test/support/image-fixtures.ts';
import { VideoStandInThread } from './video-stand-in-thread.ts';

const API_KEY = 'bench-api-key-0123456789';
/** Discord's 3 s to acknowledge an interaction (the stand-in enforces it too). */
export const ACK_DEADLINE_MS = 3_000;
/** An ordinary member's picture: 512 x 512 PNG, about 95 KB. */
const PICTURE = makePng(512, 512);
const PICTURE_ID = '900000000000000001';
/** Members are numbered; each number is a distinct Discord user, as in a burst from many members. */
const FIRST_MEMBER_ID = 210_000_000_000_000_000n;

export interface Acknowledgement {
  /** Stand-in time from sending INTERACTION_CREATE to receiving the deferral; undefined when none arrived. */
  latencyMs: number | undefined;
  /** Refused by the stand-in (10062 Unknown interaction: over 3 s) or never sent. */
  missed: boolean;
}

export class BenchStandIns {
  readonly discord: DiscordStandIn;
  readonly video: VideoStandInThread;
  readonly #pictureUrl: string;

  private constructor(discord: DiscordStandIn, video: VideoStandInThread) {
    this.discord = discord;
    this.video = video;
    this.#pictureUrl = discord.hostAttachment('picture.png', PICTURE, 'image/png');
  }

  /** `uploadLimitBytes`: what the servers allow per file (a level-3 boosted server allows 100 MiB). */
  static async start(options: { uploadLimitBytes?: number } = {}): Promise<BenchStandIns> {
    const discord = await DiscordStandIn.start(
      options.uploadLimitBytes === undefined ? {} : { uploadLimitBytes: options.uploadLimitBytes },
    );
    const video = await VideoStandInThread.start(API_KEY);
    return new BenchStandIns(discord, video);
  }

  /** The variables every bot reads to find Discord and the provider. */
  env(): Record<string, string> {
    return {
      DISCORD_TOKEN: this.discord.token,
      DISCORD_API_URL: this.discord.restUrl,
      HIGHWAY_API_URL: this.video.baseUrl,
      HIGHWAY_API_KEY: this.video.apiKey,
    };
  }

  /** Member number `member` runs /animate with the picture and `prompt`. */
  animate(member: number, prompt = 'the waves roll in slowly'): DispatchedInteraction {
    return this.discord.dispatchCommand({
      commandName: 'animate',
      userId: String(FIRST_MEMBER_ID + BigInt(member)),
      options: [
        { name: 'image', type: 11, value: PICTURE_ID },
        { name: 'prompt', type: 3, value: prompt },
      ],
      attachments: [
        {
          id: PICTURE_ID,
          filename: 'picture.png',
          size: PICTURE.length,
          url: this.#pictureUrl,
          proxy_url: this.#pictureUrl,
          content_type: 'image/png',
          width: 512,
          height: 512,
        },
      ],
    });
  }

  /** The deferral (or refusal) of each interaction, matched by interaction id. */
  acknowledgements(dispatched: readonly DispatchedInteraction[]): Acknowledgement[] {
    const callbacks = new Map<string, RecordedRequest>();
    for (const request of this.discord.requests) {
      const match = /^\/interactions\/(\d+)\/[^/]+\/callback$/.exec(request.path);
      if (request.method === 'POST' && match?.[1] !== undefined && !callbacks.has(match[1])) callbacks.set(match[1], request);
    }
    return dispatched.map((interaction) => {
      const callback = callbacks.get(interaction.interactionId);
      if (callback?.status === undefined) return { latencyMs: undefined, missed: true };
      const latencyMs = callback.at - interaction.dispatchedAt;
      const accepted = callback.status >= 200 && callback.status < 300;
      return { latencyMs, missed: !accepted || latencyMs > ACK_DEADLINE_MS };
    });
  }

  /** How many interactions have had their first response (accepted or refused). */
  answeredCount(dispatched: readonly DispatchedInteraction[]): number {
    return this.acknowledgements(dispatched).filter((ack) => ack.latencyMs !== undefined).length;
  }

  /** Edits of an original reply that carry a file: the video on the member's screen. */
  videoEdits(): RecordedRequest[] {
    return this.discord.requests.filter(
      (r) => r.method === 'PATCH' && r.path.endsWith('/messages/@original') && r.files.length > 0 && r.status === 200,
    );
  }

  async close(): Promise<void> {
    await this.discord.close();
    await this.video.close();
  }
}
