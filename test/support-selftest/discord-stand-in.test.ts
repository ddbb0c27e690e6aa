import { once } from 'node:events';
import {
  type ChatInputCommandInteraction,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Interaction,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  Routes,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DiscordStandIn, type DiscordStandInOptions, type RecordedRequest } from '../support/discord-stand-in.ts';

let standIn: DiscordStandIn | undefined;
let client: Client | undefined;

async function connect(options: DiscordStandInOptions = {}): Promise<{ standIn: DiscordStandIn; client: Client }> {
  standIn = await DiscordStandIn.start(options);
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: standIn.restUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(standIn.token);
  await ready;
  await standIn.waitForIdentify(1000);
  return { standIn, client };
}

/** Dispatches an /animate command with one picture and resolves with the interaction discord.js built. */
async function dispatchAnimate(
  discord: DiscordStandIn,
  bot: Client,
  extra: { attachmentSizeLimit?: number } = {},
): Promise<{ interaction: ChatInputCommandInteraction; token: string; interactionId: string; pictureUrl: string }> {
  const pictureUrl = discord.hostAttachment('cat.png', Buffer.from('png bytes'), 'image/png');
  const received = new Promise<Interaction>((resolve) => bot.once(Events.InteractionCreate, resolve));
  const { interactionId, token } = discord.dispatchCommand({
    commandName: 'animate',
    options: [
      { name: 'image', type: 11, value: '900000000000000001' },
      { name: 'prompt', type: 3, value: 'waves roll in' },
    ],
    attachments: [
      {
        id: '900000000000000001',
        filename: 'cat.png',
        size: 9,
        url: pictureUrl,
        content_type: 'image/png',
        width: 64,
        height: 64,
      },
    ],
    ...extra,
  });
  const interaction = await received;
  if (!interaction.isChatInputCommand()) throw new Error('expected a chat-input command');
  return { interaction, token, interactionId, pictureUrl };
}

afterEach(async () => {
  await client?.destroy();
  await standIn?.close();
  client = undefined;
  standIn = undefined;
});

describe('DiscordStandIn', () => {
  it('lets discord.js log in with the Guilds intent only and see the guild and its channel', async () => {
    const { standIn, client } = await connect();

    expect(client.user?.id).toBe(standIn.botUserId);
    expect(client.application?.id).toBe(standIn.applicationId);
    const guild = client.guilds.cache.get(standIn.guildId);
    expect(guild?.available).toBe(true);
    const channel = client.channels.cache.get(standIn.channelId);
    expect(channel?.isTextBased()).toBe(true);
    expect(guild?.members.me?.permissions.has('AttachFiles')).toBe(true);
    expect(standIn.identifies).toHaveLength(1);
    expect(standIn.identifies[0]?.intents).toBe(GatewayIntentBits.Guilds);
    expect(standIn.requests[0]).toMatchObject({ method: 'GET', path: '/gateway/bot' });
    expect(standIn.requests[0]?.headers.authorization).toBe(`Bot ${standIn.token}`);
  });

  it('refuses a wrong bot token the way Discord does', async () => {
    standIn = await DiscordStandIn.start();
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: standIn.restUrl } });

    await expect(client.login('not-the-token')).rejects.toThrow(/invalid token/i);
    expect(standIn.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['GET /gateway/bot 401']);
  });

  it('delivers a realistic /animate interaction and records defer, edit with a file, ephemeral follow-up and delete', async () => {
    const { standIn, client } = await connect();
    const { interaction, token, interactionId, pictureUrl } = await dispatchAnimate(standIn, client);

    expect(interaction.commandName).toBe('animate');
    expect(interaction.id).toBe(interactionId);
    expect(token.length).toBeGreaterThan(100);
    expect(interaction.guildId).toBe(standIn.guildId);
    expect(interaction.channelId).toBe(standIn.channelId);
    expect(interaction.user.id).toBe(standIn.memberUserId);
    expect(interaction.attachmentSizeLimit).toBe(10 * 1024 * 1024);
    expect(interaction.options.getString('prompt')).toBe('waves roll in');
    const picture = interaction.options.getAttachment('image', true);
    expect(picture.url).toBe(pictureUrl);
    expect(picture.contentType).toBe('image/png');
    expect(Buffer.from(await (await fetch(picture.url)).arrayBuffer()).toString()).toBe('png bytes');

    await interaction.deferReply();
    expect(standIn.originalMessage(token)?.flags).toBe(MessageFlags.Loading);
    const edited = await interaction.editReply({
      content: 'done',
      files: [{ attachment: Buffer.from('x'), name: 'a.mp4' }],
    });
    const followUp = await interaction.followUp({ content: 'eph', flags: MessageFlags.Ephemeral });
    await interaction.deleteReply();

    const mine = standIn.requests.filter((r) => r.path.includes(token));
    expect(mine.map((r) => `${r.method} ${r.path.replace(token, 'TOKEN')} ${r.status}`)).toEqual([
      `POST /interactions/${interactionId}/TOKEN/callback 204`,
      `PATCH /webhooks/${standIn.applicationId}/TOKEN/messages/@original 200`,
      `POST /webhooks/${standIn.applicationId}/TOKEN 200`,
      `DELETE /webhooks/${standIn.applicationId}/TOKEN/messages/@original 204`,
    ]);
    const [defer, edit, sent] = mine as [RecordedRequest, RecordedRequest, RecordedRequest];
    expect(defer.body).toEqual({ type: 5, data: { flags: 0 } });
    expect(defer.query.get('with_response')).toBe('false');
    expect(defer.headers.authorization).toBeUndefined();
    expect(edit.body).toMatchObject({ content: 'done', attachments: [{ id: '0' }] });
    expect(edit.files).toHaveLength(1);
    expect(edit.files[0]).toMatchObject({ field: 'files[0]', filename: 'a.mp4' });
    expect(edit.files[0]?.data.toString()).toBe('x');
    expect(sent.query.get('wait')).toBe('true');
    expect(sent.body).toMatchObject({ content: 'eph', flags: 64 });

    // What discord.js built from the stand-in's answers.
    expect(edited.content).toBe('done');
    const video = edited.attachments.first();
    expect(video?.name).toBe('a.mp4');
    expect(standIn.attachmentBytes(video?.url ?? '')?.toString()).toBe('x');
    expect(edited.interactionMetadata?.user.id).toBe(standIn.memberUserId);
    expect(followUp.flags.has(MessageFlags.Ephemeral)).toBe(true);
    expect(standIn.originalMessage(token)).toBeUndefined();
    expect(standIn.followUps(token).map((m) => m.content)).toEqual(['eph']);
  });

  it('accepts a raw REST edit of @original with a file, as the bot does after a restart', async () => {
    const { standIn, client } = await connect();
    const { interaction, token } = await dispatchAnimate(standIn, client);
    await interaction.deferReply();

    const answer = (await client.rest.patch(Routes.webhookMessage(standIn.applicationId, token, '@original'), {
      auth: false,
      body: {
        content: 'your video',
        attachments: [{ id: 0, filename: 'video.mp4' }],
        allowed_mentions: { parse: [] },
      },
      files: [{ name: 'video.mp4', data: Buffer.from('mp4 bytes'), contentType: 'video/mp4' }],
    })) as { id: string; content: string; attachments: { filename: string; size: number; content_type?: string }[] };

    expect(answer.content).toBe('your video');
    expect(answer.attachments).toMatchObject([{ filename: 'video.mp4', size: 9, content_type: 'video/mp4' }]);
    const edit = await standIn.waitForRequest((r) => r.method === 'PATCH' && r.path.endsWith('/messages/@original'));
    expect(edit.body).toMatchObject({ content: 'your video', allowed_mentions: { parse: [] } });
    expect(edit.files[0]).toMatchObject({ filename: 'video.mp4', contentType: 'video/mp4' });
    expect(standIn.originalMessage(token)?.flags).toBe(0);
  });

  it('turns failNext into a DiscordAPIError with the code, once', async () => {
    const { standIn, client } = await connect();
    const { interaction } = await dispatchAnimate(standIn, client);
    await interaction.deferReply();
    standIn.failNext((r) => r.method === 'PATCH', { status: 401, code: 50027, message: 'Invalid Webhook Token' });

    const failure = await interaction.editReply('too late').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(DiscordAPIError);
    expect(failure).toMatchObject({ code: 50027, status: 401 });
    await expect(interaction.editReply('works again')).resolves.toMatchObject({ content: 'works again' });
  });

  it('lets discord.js retry after an injected 429', async () => {
    const { standIn, client } = await connect();
    const { interaction } = await dispatchAnimate(standIn, client);
    await interaction.deferReply();
    standIn.failNext((r) => r.method === 'PATCH', {
      status: 429,
      code: 0,
      message: 'You are being rate limited.',
      retryAfter: 0.05,
    });

    await expect(interaction.editReply('eventually')).resolves.toMatchObject({ content: 'eventually' });
    expect(standIn.requests.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([429, 200]);
  });

  it('enforces one initial response, the response deadline, token expiry and the upload limit', async () => {
    const { standIn, client } = await connect({ responseDeadlineMs: 300 });
    const first = await dispatchAnimate(standIn, client, { attachmentSizeLimit: 4 });
    await first.interaction.deferReply();

    const again = await client.rest
      .post(Routes.interactionCallback(first.interactionId, first.token), { auth: false, body: { type: 5 } })
      .catch((error: unknown) => error);
    expect(again).toMatchObject({ code: 40060, status: 400 });

    const tooBig = await first.interaction
      .editReply({ files: [{ attachment: Buffer.from('12345'), name: 'big.mp4' }] })
      .catch((error: unknown) => error);
    expect(tooBig).toMatchObject({ code: 40005, status: 413 });

    standIn.expireInteraction(first.token);
    await expect(first.interaction.editReply('late')).rejects.toMatchObject({ code: 50027, status: 401 });

    const slow = await dispatchAnimate(standIn, client);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expect(slow.interaction.deferReply()).rejects.toMatchObject({ code: 10062, status: 404 });
  });

  it('builds a message context-menu interaction whose target message carries the picture', async () => {
    const { standIn, client } = await connect();
    const url = standIn.hostAttachment('dog.jpg', Buffer.from('jpg'), 'image/jpeg');
    const received = new Promise<Interaction>((resolve) => client.once(Events.InteractionCreate, resolve));

    const { token } = standIn.dispatchMessageCommand({
      commandName: 'Animate',
      target: { content: 'look', attachments: [{ id: '42', filename: 'dog.jpg', url, content_type: 'image/jpeg' }] },
    });

    const interaction = await received;
    if (!interaction.isMessageContextMenuCommand()) throw new Error('expected a message context-menu command');
    expect(interaction.targetMessage.content).toBe('look');
    expect(interaction.targetMessage.attachments.first()?.url).toBe(url);
    await interaction.reply({ content: 'on it', flags: MessageFlags.Ephemeral });
    expect(standIn.originalMessage(token)).toMatchObject({ content: 'on it', flags: 64, type: 23 });
  });

  it('records the form a menu command shows, refuses an oversized one, and sends its MODAL_SUBMIT back', async () => {
    const { standIn, client } = await connect();
    const interactions: Interaction[] = [];
    client.on(Events.InteractionCreate, (i) => interactions.push(i));
    const next = async () => {
      const count = interactions.length;
      await vi.waitFor(() => expect(interactions.length).toBeGreaterThan(count));
      return interactions[interactions.length - 1];
    };
    const form = (title: string) =>
      new ModalBuilder()
        .setCustomId('form:1')
        .setTitle(title)
        .addLabelComponents(
          new LabelBuilder()
            .setLabel('How should it move?')
            .setTextInputComponent(new TextInputBuilder().setCustomId('prompt').setStyle(TextInputStyle.Paragraph).setRequired(true)),
          new LabelBuilder()
            .setLabel('Length')
            .setTextInputComponent(
              new TextInputBuilder().setCustomId('duration').setStyle(TextInputStyle.Short).setRequired(false).setValue('5'),
            ),
        );

    const tooLong = standIn.dispatchMessageCommand({ commandName: 'Animate', target: { content: 'look' } });
    const first = await next();
    if (!first?.isMessageContextMenuCommand()) throw new Error('expected a message context-menu command');
    // Builders check 45 characters themselves; the raw payload shows the stand-in checks them too.
    const refused = await client.rest
      .post(`/interactions/${first.id}/${first.token}/callback`, {
        body: { type: 9, data: { ...form('t').toJSON(), title: 'x'.repeat(46) } },
        auth: false,
      })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400 });
    expect(standIn.modalShown(tooLong.token)).toBeUndefined();

    const menu = standIn.dispatchMessageCommand({ commandName: 'Animate', target: { content: 'look' } });
    const second = await next();
    if (!second?.isMessageContextMenuCommand()) throw new Error('expected a message context-menu command');
    await second.showModal(form('Animate this picture'));
    expect(standIn.modalShown(menu.token)).toEqual({
      customId: 'form:1',
      title: 'Animate this picture',
      fields: [
        { customId: 'prompt', label: 'How should it move?', style: 2, required: true },
        { customId: 'duration', label: 'Length', style: 1, required: false, value: '5' },
      ],
    });

    const sent = standIn.dispatchModalSubmit({ onToken: menu.token, values: { prompt: 'waves' } });
    const submitted = await next();
    if (!submitted?.isModalSubmit()) throw new Error('expected a modal submission');
    expect(submitted.customId).toBe('form:1');
    expect(submitted.fields.getTextInputValue('prompt')).toBe('waves');
    expect(submitted.fields.getTextInputValue('duration')).toBe('');
    // A form cannot answer a form (discord.js offers no showModal there; the raw call shows Discord's refusal).
    const again = await client.rest
      .post(`/interactions/${submitted.id}/${submitted.token}/callback`, { body: { type: 9, data: form('again').toJSON() }, auth: false })
      .catch((error: unknown) => error);
    expect(again).toMatchObject({ status: 400, code: 40043 });
    await submitted.deferReply();
    expect(standIn.originalMessage(sent.token)).toMatchObject({ flags: 128 });
  });

  it('posts channel messages with the bot token and refuses files without Attach Files', async () => {
    const viewAndSend = (1n << 10n) | (1n << 11n);
    const { standIn, client } = await connect({ botPermissions: viewAndSend.toString() });
    const channel = await client.channels.fetch(standIn.channelId);
    if (!channel?.isSendable()) throw new Error('expected a sendable channel');

    const sent = await channel.send({
      content: `<@${standIn.memberUserId}> here`,
      allowedMentions: { users: [standIn.memberUserId] },
    });
    const refused = await channel.send({ files: [{ attachment: Buffer.from('mp4'), name: 'v.mp4' }] }).catch((error: unknown) => error);

    expect(sent.content).toBe(`<@${standIn.memberUserId}> here`);
    const messagesPath = `/channels/${standIn.channelId}/messages`;
    const post = await standIn.waitForRequest((r) => r.method === 'POST' && r.path === messagesPath);
    expect(post.headers.authorization).toBe(`Bot ${standIn.token}`);
    expect(post.body).toMatchObject({ allowed_mentions: { users: [standIn.memberUserId] } });
    expect(refused).toMatchObject({ code: 50013, status: 403 });
    expect(standIn.messagesIn(standIn.channelId).map((m) => m.content)).toEqual([`<@${standIn.memberUserId}> here`]);
  });

  it('answers a repeated nonce sent with enforce_nonce with the message already made, until it forgets nonces', async () => {
    const { standIn, client } = await connect();
    const post = (body: Record<string, unknown>) =>
      client.rest.post(Routes.channelMessages(standIn.channelId), { body }) as Promise<{ id: string }>;

    const first = await post({ content: 'once', nonce: 'task-nonce', enforce_nonce: true });
    const again = await post({ content: 'once', nonce: 'task-nonce', enforce_nonce: true });
    // Without enforce_nonce a nonce does not dedupe, as on Discord.
    const loose = await post({ content: 'loose', nonce: 'task-nonce' });
    expect(again.id).toBe(first.id);
    expect(loose.id).not.toBe(first.id);
    expect(standIn.messagesIn(standIn.channelId).map((m) => m.content)).toEqual(['once', 'loose']);

    standIn.forgetNonces();
    const later = await post({ content: 'once', nonce: 'task-nonce', enforce_nonce: true });
    expect(later.id).not.toBe(first.id);

    const tooLong = await post({ content: 'x', nonce: 'n'.repeat(26), enforce_nonce: true }).catch((error: unknown) => error);
    expect(tooLong).toBeInstanceOf(DiscordAPIError);
    expect(tooLong).toMatchObject({ status: 400, code: 50035 });
    expect((tooLong as DiscordAPIError).message).toMatch(/nonce/);
  });

  it('opens one direct-message channel per member and posts there, unless the member refuses direct messages', async () => {
    const { standIn, client } = await connect({ botPermissions: '0' });
    const member = standIn.memberUserId;
    const open = () => client.rest.post(Routes.userChannels(), { body: { recipient_id: member } }) as Promise<{ id: string; type: number }>;

    const channel = await open();
    expect(channel.type).toBe(1);
    expect((await open()).id).toBe(channel.id);
    expect(standIn.directChannelOf(member)).toBe(channel.id);
    // No permission in any server is needed for a direct message.
    const sent = (await client.rest.post(Routes.channelMessages(channel.id), { body: { content: 'hello' } })) as { channel_id: string };
    expect(sent.channel_id).toBe(channel.id);
    expect(standIn.messagesIn(channel.id).map((m) => m.content)).toEqual(['hello']);

    standIn.refuseDirectMessages(member);
    const refused = await client.rest.post(Routes.channelMessages(channel.id), { body: { content: 'again' } }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 403, code: 50007 });
    expect(standIn.messagesIn(channel.id)).toHaveLength(1);
  });

  it('loseNextAnswer carries the request out and answers with the error instead', async () => {
    const { standIn, client } = await connect();
    // Predicates see the request's body too.
    standIn.loseNextAnswer((r) => r.method === 'POST' && (r.body as { content?: string }).content === 'made', {
      status: 403,
      code: 50013,
      message: 'Missing Permissions',
    });

    await client.rest.post(Routes.channelMessages(standIn.channelId), { body: { content: 'first' } });
    const error = await client.rest.post(Routes.channelMessages(standIn.channelId), { body: { content: 'made' } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, code: 50013 });
    expect(standIn.messagesIn(standIn.channelId).map((m) => m.content)).toEqual(['first', 'made']);
  });

  it('holdNextAnswer carries the request out and holds its answer until released', async () => {
    const { standIn, client } = await connect();
    const held = standIn.holdNextAnswer((r) => r.method === 'POST' && (r.body as { content?: string }).content === 'held');
    let answered = false;
    const post = client.rest.post(Routes.channelMessages(standIn.channelId), { body: { content: 'held' } }).then(() => (answered = true));
    await held.arrived;
    // Made already, but the client has not heard back.
    expect(standIn.messagesIn(standIn.channelId).map((m) => m.content)).toEqual(['held']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    held.release();
    await post;
    // One rule holds one answer: the next request is answered at once.
    await client.rest.post(Routes.channelMessages(standIn.channelId), { body: { content: 'held' } });

    const url = standIn.hostAttachment('slow.png', Buffer.from('bytes'), 'image/png');
    const file = standIn.holdNextAnswer((r) => r.path === '/attachments/slow.png');
    const download = fetch(url);
    await file.arrived;
    file.release();
    expect(await (await download).text()).toBe('bytes');
  });

  it('answers unknown routes with 404 and explains a timed-out wait', async () => {
    const { standIn, client } = await connect();

    await expect(client.rest.get('/nowhere')).rejects.toMatchObject({ status: 404, code: 0 });
    await expect(standIn.waitForRequest((r) => r.method === 'PUT', 50)).rejects.toThrow(/GET \/nowhere -> 404/);
  });
  it("sends the member's and the server's locale with an interaction", async () => {
    const { standIn, client } = await connect();
    const received = new Promise<Interaction>((resolve) => client.once(Events.InteractionCreate, resolve));
    standIn.dispatchCommand({ commandName: 'animate-quota', locale: 'ko', guildLocale: 'ja' });
    const interaction = await received;
    expect(interaction.locale).toBe('ko');
    expect(interaction.guildLocale).toBe('ja');
  });

  it('registers commands only with names and localizations Discord accepts', async () => {
    const { standIn, client } = await connect();
    const route = Routes.applicationGuildCommands(standIn.applicationId, standIn.guildId);
    const command = (extra: Record<string, unknown>) => [{ name: 'animate', description: 'Turn a picture into a video', ...extra }];

    await client.rest.put(route, {
      body: command({
        name_localizations: { ja: 'アニメ化', fr: 'animer' },
        description_localizations: { ja: '画像を動画に' },
        options: [{ type: 3, name: 'prompt', name_localizations: { de: 'prompt' }, description: 'How it moves' }],
      }),
    });
    expect(standIn.registeredCommands.get(standIn.guildId)?.[0]).toMatchObject({ name_localizations: { ja: 'アニメ化', fr: 'animer' } });

    const refused = [
      command({ name_localizations: { fr: 'Animer' } }),
      command({ name_localizations: { fr: 'animer une image' } }),
      command({ name_localizations: { 'fr-FR': 'animer' } }),
      command({ description_localizations: { ja: '' } }),
      command({ options: [{ type: 3, name: 'prompt', name_localizations: { ja: 'x'.repeat(33) }, description: 'How it moves' }] }),
      command({ options: [{ type: 3, name: 'duration', description: 'Length', choices: [{ name: 'x'.repeat(101), value: '5' }] }] }),
    ];
    for (const body of refused) {
      await expect(client.rest.put(route, { body }), JSON.stringify(body)).rejects.toMatchObject({ status: 400, code: 50035 });
    }
  });
});
