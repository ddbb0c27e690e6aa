/**
 * The naive bot, written the way most guides write an "AI video" command: defer, download the picture,
 * submit it, poll on a `setInterval` per task, download the whole video into memory and edit the reply
 * with it. Nothing is stored, nothing is rate-limited, nothing survives a restart. It is the comparison
 * the bench measures this bot against (provider calls, delivery delay, memory), not a pattern to copy.
 */
import { Client, Events, GatewayIntentBits, type ChatInputCommandInteraction } from 'discord.js';
import { z } from 'zod';
import { benchBotEnv, reportReady, stopOnSignal } from './bot-env.ts';

const env = benchBotEnv();
const headers = { authorization: `Bearer ${env.highwayApiKey}`, 'content-type': 'application/json' };

// The fields a guide would read from the provider's answers (zod only because this codebase allows no `any`).
const submitted = z.object({ task_id: z.string() });
const result = z.object({
  task: z.object({ status: z.string(), reason: z.string().optional() }),
  videos: z.array(z.object({ video_url: z.string() })).default([]),
});

const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: env.discordApiUrl } });

client.on(Events.InteractionCreate, (interaction) => {
  if (!interaction.isChatInputCommand() || interaction.commandName !== 'animate') return;
  animate(interaction).catch((error: unknown) => {
    console.error('animate failed', error);
    interaction.editReply('Something went wrong.').catch(() => undefined);
  });
});

async function animate(interaction: ChatInputCommandInteraction): Promise<void> {
  await interaction.deferReply();
  const image = interaction.options.getAttachment('image', true);
  const prompt = interaction.options.getString('prompt', true);
  const picture = Buffer.from(await (await fetch(image.url)).arrayBuffer());
  const response = await fetch(`${env.highwayApiUrl}/v3/async/kling-2.5-turbo-i2v`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ image: picture.toString('base64'), prompt, duration: '5', cfg_scale: 0.5 }),
  });
  const { task_id: taskId } = submitted.parse(await response.json());

  const timer = setInterval(() => {
    poll().catch((error: unknown) => {
      clearInterval(timer);
      console.error('poll failed', error);
      interaction.editReply('Something went wrong.').catch(() => undefined);
    });
  }, env.pollIntervalMs);

  async function poll(): Promise<void> {
    const answer = await fetch(`${env.highwayApiUrl}/v3/async/task-result?task_id=${encodeURIComponent(taskId)}`, { headers });
    const { task, videos } = result.parse(await answer.json());
    if (task.status === 'TASK_STATUS_FAILED') {
      clearInterval(timer);
      await interaction.editReply(`The generation failed: ${task.reason ?? 'no reason given'}`);
      return;
    }
    const url = videos[0]?.video_url;
    if (task.status !== 'TASK_STATUS_SUCCEED' || url === undefined) return;
    clearInterval(timer);
    const video = Buffer.from(await (await fetch(url)).arrayBuffer());
    await interaction.editReply({ content: `Here is "${prompt}"`, files: [{ attachment: video, name: 'animation.mp4' }] });
  }
}

client.once(Events.ClientReady, reportReady);
stopOnSignal(client);
await client.login(env.discordToken);
