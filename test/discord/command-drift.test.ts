import { describe, expect, it } from 'vitest';
import { commandPayloads } from '../../src/command-registry.ts';
import { commandDrift, registeredCommandsSchema } from '../../src/discord/command-drift.ts';

const local = commandPayloads();
/** What Discord answers for registered commands: ours plus the fields it adds. */
const asDiscordReturns = (json: readonly object[]) =>
  registeredCommandsSchema.parse(json.map((c) => ({ id: '1', application_id: '2', version: '3', default_member_permissions: null, ...c })));

describe('command drift', () => {
  it('finds nothing when Discord has exactly our commands (whatever fields it adds)', () => {
    expect(commandDrift(local, asDiscordReturns(local))).toEqual({ missing: [], changed: [] });
  });

  it('names a command Discord does not have, and one whose options changed since the last deploy', () => {
    const [first, ...rest] = local;
    const older = rest.map((c) => (c.name === 'animate-admin' ? { ...c, description: 'an older description' } : c));
    expect(commandDrift(local, asDiscordReturns(older))).toEqual({ missing: [first?.name], changed: ['animate-admin'] });
  });

  it('counts the message menu command, which Discord returns with an empty description', () => {
    const menu = local.find((c) => c.name === 'Animate');
    expect(menu).toMatchObject({ type: 3 });
    const returned = local.map((c) => (c.name === 'Animate' ? { ...c, description: '' } : c));
    expect(commandDrift(local, asDiscordReturns(returned))).toEqual({ missing: [], changed: [] });
    expect(commandDrift(local, asDiscordReturns(local.filter((c) => c.name !== 'Animate')))).toEqual({ missing: ['Animate'], changed: [] });
  });

  it('names a command registered before its translations, or with other ones, as changed', () => {
    type Json = (typeof local)[number];
    const untranslated = (c: Json): Json => {
      const { name_localizations: _names, description_localizations: _descriptions, ...rest } = c;
      return rest;
    };
    const before = local.map((c) => (c.name === 'animate' ? untranslated(c) : c));
    expect(commandDrift(local, asDiscordReturns(before))).toEqual({ missing: [], changed: ['animate'] });
    const otherWords = local.map((c) =>
      c.name === 'animate-quota' ? { ...c, description_localizations: { ...c.description_localizations, ja: '古い説明' } } : c,
    );
    expect(commandDrift(local, asDiscordReturns(otherWords))).toEqual({ missing: [], changed: ['animate-quota'] });
  });
});
