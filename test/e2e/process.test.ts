/**
 * The bot as a real process: `node src/index.ts` and `node src/deploy-commands.ts`, as npm runs them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotHarness, TEST_API_KEY } from '../support/bot-harness.ts';
import { BotProcess } from '../support/bot-process.ts';
import { freePort } from '../support/free-port.ts';
import { animateUntilPolled, videoAfterRestart } from '../support/e2e-requests.ts';

describe('the bot process', () => {
  let h: BotHarness;
  const processes: BotProcess[] = [];

  const start = (entry: string, env: Record<string, string>, args: string[] = []) => {
    const p = BotProcess.start(entry, env, args);
    processes.push(p);
    return p;
  };

  beforeEach(async () => {
    h = await BotHarness.start();
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.dispose()));
    await h.stop();
  });

  it('killed with SIGKILL mid-generation, delivers the video once after a restart, with one submission', async () => {
    h.video.nextTask({ pollsBeforeDone: 6, etaSeconds: 1 });
    const first = start('src/index.ts', h.env());
    await h.discord.waitForIdentify(20_000);

    const token = await animateUntilPolled(h);
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const editsBefore = h.discord.requests.filter((r) => r.method === 'PATCH' && r.files.length > 0).length;
    expect(editsBefore).toBe(0);

    const identifies = h.discord.identifyCount;
    const second = start('src/index.ts', h.env());
    await h.discord.waitForIdentify(20_000, identifies + 1);
    await videoAfterRestart(h.discord, token, { first, second });

    expect(h.video.submissions).toHaveLength(1);
    const videoEdits = h.discord.requests.filter((r) => r.path.includes(token) && r.files.length > 0);
    expect(videoEdits).toHaveLength(1);
    expect(h.discord.requests.filter((r) => r.path.includes('/channels/'))).toEqual([]);

    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(second.stdout + second.stderr + first.stdout + first.stderr).not.toContain(TEST_API_KEY);
    expect(second.stdout + first.stdout).not.toContain(h.discord.token);
  }, 60_000);

  it('refuses to start on a bad configuration, one line per problem and no stack trace', async () => {
    const p = start('src/index.ts', { POLL_INTERVAL_MS: 'often', HIGHWAY_API_URL: 'nope' });
    const { code } = await p.exited;
    expect(code).toBe(1);
    expect(p.stderr.trim().split('\n')).toEqual([
      'config: DISCORD_TOKEN is required',
      'config: HIGHWAY_API_KEY is required',
      'config: HIGHWAY_API_URL must be an http(s) URL',
      'config: POLL_INTERVAL_MS must be a whole number',
    ]);
  });

  it('deploy-commands registers /animate in one server, through DISCORD_API_URL', async () => {
    const p = start('src/deploy-commands.ts', h.env(), ['--guild', h.discord.guildId]);
    const { code } = await p.exited;
    expect(p.stderr).toBe('');
    expect(code).toBe(0);
    const put = h.discord.requests.find((r) => r.method === 'PUT');
    expect(put?.path).toBe(`/applications/${h.discord.applicationId}/guilds/${h.discord.guildId}/commands`);
    const [animate] = put?.body as {
      name: string;
      contexts: number[];
      integration_types: number[];
      options: {
        name: string;
        type: number;
        required?: boolean;
        max_length?: number;
        min_value?: number;
        max_value?: number;
        choices?: { value: string }[];
      }[];
    }[];
    expect(animate?.name).toBe('animate');
    expect(animate?.contexts).toEqual([0]);
    expect(animate?.integration_types).toEqual([0]);
    const byName = Object.fromEntries((animate?.options ?? []).map((o) => [o.name, o]));
    expect(Object.keys(byName)).toEqual(['image', 'prompt', 'duration', 'cfg_scale', 'negative_prompt']);
    expect(byName.image).toMatchObject({ type: 11, required: true });
    expect(byName.prompt).toMatchObject({ type: 3, required: true, max_length: 2500 });
    expect(byName.duration?.choices?.map((c) => c.value)).toEqual(['5', '10']);
    expect(byName.cfg_scale).toMatchObject({ type: 10, min_value: 0, max_value: 1 });
    expect(byName.negative_prompt).toMatchObject({ type: 3, max_length: 2500 });
    // The message menu (long-press a message → Apps → Animate) is registered beside the slash commands.
    const menu = (put?.body as { name: string; type?: number; contexts?: number[] }[]).find((c) => c.type === 3);
    expect(menu).toMatchObject({ name: 'Animate', type: 3, contexts: [0] });
    expect(p.stdout).toContain('Animate');
  });

  it('deploy-commands sends every command, option and choice named and described in each locale, and Discord accepts them', async () => {
    const p = start('src/deploy-commands.ts', h.env(), ['--guild', h.discord.guildId]);
    const { code } = await p.exited;
    expect(p.stderr).toBe('');
    expect(code).toBe(0);
    interface Registered {
      name: string;
      name_localizations?: Record<string, string>;
      description?: string;
      description_localizations?: Record<string, string>;
      options?: Registered[];
      choices?: { name: string; name_localizations?: Record<string, string> }[];
    }
    const registered = (h.discord.registeredCommands.get(h.discord.guildId) ?? []) as unknown as Registered[];
    const byName = (items: readonly Registered[] | undefined, name: string) => items?.find((item) => item.name === name);
    const animate = byName(registered, 'animate');
    expect(animate?.name_localizations).toEqual({ 'es-ES': 'animar', 'pt-BR': 'animar', de: 'animieren', fr: 'animer', ja: 'アニメ化' });
    expect(animate?.description_localizations?.ja).toBe('画像を短い動画に変えます');
    expect(byName(animate?.options, 'negative_prompt')?.name_localizations).toMatchObject({
      ja: 'ネガティブプロンプト',
      fr: 'prompt_négatif',
    });
    expect(byName(animate?.options, 'duration')?.choices?.[0]?.name_localizations).toMatchObject({ de: '5 Sekunden (1 Einheit)' });
    const budget = byName(byName(registered, 'animate-admin')?.options, 'budget');
    expect(budget?.name_localizations?.['es-ES']).toBe('presupuesto');
    expect(byName(registered, 'Animate')?.name_localizations).toMatchObject({ ja: 'アニメ化', de: 'Animieren' });
    expect(byName(budget?.options, 'period')?.choices?.map((c) => c.name_localizations?.ja)).toEqual(['1日', '1週間（月曜から）', '1か月']);
    // Every command, option and choice, however deep, in each of the five other locales.
    const walk = (items: readonly Registered[] | undefined): Registered[] => (items ?? []).flatMap((item) => [item, ...walk(item.options)]);
    for (const item of walk(registered)) {
      expect(Object.keys(item.name_localizations ?? {}).sort(), item.name).toEqual(['de', 'es-ES', 'fr', 'ja', 'pt-BR']);
      // A message menu command has no description at all (Discord refuses one), so nothing to translate.
      const described = item.description !== undefined && item.description !== '';
      expect(Object.keys(item.description_localizations ?? {}).sort(), item.name).toEqual(
        described ? ['de', 'es-ES', 'fr', 'ja', 'pt-BR'] : [],
      );
      for (const choice of item.choices ?? []) expect(Object.keys(choice.name_localizations ?? {}), choice.name).toHaveLength(5);
    }
  });

  it('deploy-commands --help prints its usage; a mistake prints it too and exits 2, with no stack trace', async () => {
    const help = start('src/deploy-commands.ts', h.env(), ['--help']);
    expect((await help.exited).code).toBe(0);
    expect(help.stdout).toContain('npm run deploy-commands -- --guild <SERVER_ID>');

    for (const args of [['--guild'], ['123'], ['--server', '1']]) {
      const p = start('src/deploy-commands.ts', h.env(), args);
      expect((await p.exited).code, args.join(' ')).toBe(2);
      expect(p.stderr, args.join(' ')).toContain('usage:');
      expect(p.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
    const bare = start('src/deploy-commands.ts', h.env(), ['123']);
    await bare.exited;
    expect(bare.stderr).toContain('options go after --');
    expect(h.discord.requests.filter((r) => r.method === 'PUT')).toEqual([]);
  });

  it('deploy-commands needs no video API key', async () => {
    const { HIGHWAY_API_KEY: _key, ...env } = h.env();
    const p = start('src/deploy-commands.ts', env, ['--guild', h.discord.guildId]);
    expect((await p.exited).code).toBe(0);
    expect(p.stderr).toBe('');
  });

  it('deploy-commands in a server the bot is not in says so and gives the invite link', async () => {
    const p = start('src/deploy-commands.ts', h.env(), ['--guild', '390000000000000009']);
    expect((await p.exited).code).toBe(1);
    expect(p.stderr).toContain('not in server 390000000000000009');
    expect(p.stderr).toContain('applications.commands');
    expect(p.stderr).toContain(`https://discord.com/oauth2/authorize?client_id=${h.discord.applicationId}&scope=bot+applications.commands`);
  });

  it('deploy-commands names a refused token and an unreachable Discord with its code and address', async () => {
    const refused = start('src/deploy-commands.ts', { ...h.env(), DISCORD_TOKEN: 'not-the-token' });
    expect((await refused.exited).code).toBe(1);
    expect(refused.stderr).toContain('DISCORD_TOKEN');
    expect(refused.stderr).not.toContain('not-the-token');

    const nobody = `http://127.0.0.1:${await freePort()}/api`;
    const unreachable = start('src/deploy-commands.ts', { ...h.env(), DISCORD_API_URL: nobody });
    expect((await unreachable.exited).code).toBe(1);
    expect(unreachable.stderr).toContain('ECONNREFUSED');
    expect(unreachable.stderr).toContain(nobody);
  });

  it('deploy-commands registers globally by default', async () => {
    const p = start('src/deploy-commands.ts', h.env());
    expect((await p.exited).code).toBe(0);
    expect(h.discord.requests.find((r) => r.method === 'PUT')?.path).toBe(`/applications/${h.discord.applicationId}/commands`);
  });
});
