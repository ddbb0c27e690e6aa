/**
 * Every text a member or moderator reads comes from the catalogue (src/catalogue/): a reply, a label or a
 * description written as a literal anywhere else would not be translated, and would drift from the rest.
 * This scans the sources for the shapes such a literal takes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** A string or template literal starts here. */
const LITERAL = String.raw`['"\x60]`;

const SHAPES: readonly { name: string; pattern: RegExp }[] = [
  { name: 'message content given as a literal', pattern: new RegExp(String.raw`\bcontent\s*:\s*${LITERAL}`, 'g') },
  {
    name: 'a reply, follow-up, edit or send of a literal',
    pattern: new RegExp(String.raw`\b(reply|followUp|editReply|send|update)\(\s*${LITERAL}`, 'g'),
  },
  {
    name: 'a builder description, label, title or placeholder set from a literal',
    pattern: new RegExp(String.raw`\.set(Description|Label|Title|Placeholder|Content)\(\s*${LITERAL}`, 'g'),
  },
  { name: 'localizations written inline', pattern: /\.set(Description|Name)Localizations\(\s*\{/g },
  { name: 'a button or field label given as a literal', pattern: new RegExp(String.raw`\blabel\s*:\s*${LITERAL}`, 'g') },
  {
    name: 'an embed or command title, description or placeholder given as a literal',
    pattern: new RegExp(String.raw`\b(title|description|placeholder)\s*:\s*${LITERAL}`, 'g'),
  },
  // The bot's messages open with one of these: a literal that does is a message, whatever function returns it.
  { name: 'a literal opening like a message', pattern: new RegExp(String.raw`${LITERAL}\s*(❌|🚫|✅|🎬|⏳|⏸️|📦|🔍|🎟️|📊|⚙️)`, 'gu') },
  {
    name: 'a choice named by a literal',
    pattern: new RegExp(String.raw`\bname\s*:\s*${LITERAL}[^'"\x60\n]*${LITERAL}\s*,\s*value\s*:`, 'g'),
  },
];

interface Finding {
  line: number;
  shape: string;
  text: string;
}

/** Blanks out comments (keeping line numbers), so a comment may quote what it forbids. */
function withoutComments(source: string): string {
  const blank = (comment: string) => comment.replace(/[^\n]/g, ' ');
  return source.replace(/\/\*[\s\S]*?\*\//g, blank).replace(/^\s*\/\/.*$/gm, blank);
}

/** Where a source builds member-facing text from a literal. */
function findLiteralTexts(source: string): Finding[] {
  const code = withoutComments(source);
  const lines = source.split('\n');
  const findings: Finding[] = [];
  for (const { name, pattern } of SHAPES) {
    for (const match of code.matchAll(pattern)) {
      const line = code.slice(0, match.index).split('\n').length;
      findings.push({ line, shape: name, text: (lines[line - 1] ?? '').trim() });
    }
  }
  return findings;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => !path.startsWith('src/catalogue/'));
}

describe('the scanner', () => {
  it.each([
    ["await interaction.reply({ content: 'Hello there', flags: 64 });", 'message content given as a literal'],
    ['await interaction.followUp({ content: `Done ${x}.` });', 'message content given as a literal'],
    ["const body = {\n  content:\n    'split over lines',\n};", 'message content given as a literal'],
    ["if (!guildId) return reply('/animate-admin works in servers only.');", 'a reply, follow-up, edit or send of a literal'],
    ['await channel.send(`Hi ${name}`);', 'a reply, follow-up, edit or send of a literal'],
    [
      ".setName('animate').setDescription('Turn a picture into a short video')",
      'a builder description, label, title or placeholder set from a literal',
    ],
    [".setDescriptionLocalizations({ de: 'Ein Bild' })", 'localizations written inline'],
    ["{ type: 2, style: 2, label: 'Cancel', custom_id: id }", 'a button or field label given as a literal'],
    ["{ name: 'animate', description: 'Turn a picture' }", 'an embed or command title, description or placeholder given as a literal'],
    [".addChoices({ name: '5 seconds', value: '5' }, { name: \"10 seconds\", value: '10' })", 'a choice named by a literal'],
    ['return `❌ ${view.message}${refundNote(units)}`;', 'a literal opening like a message'],
    ["lines.push('✅ Done.');", 'a literal opening like a message'],
  ])('finds %j', (source, shape) => {
    expect(findLiteralTexts(source).map((f) => f.shape)).toContain(shape);
  });

  it('reports the line of a planted literal among clean code', () => {
    const source = [
      'const a = 1;',
      '// content: "a comment may quote it"',
      'await interaction.editReply({',
      "  content: 'planted',",
      '});',
    ].join('\n');
    expect(findLiteralTexts(source)).toEqual([{ line: 4, shape: 'message content given as a literal', text: "content: 'planted'," }]);
  });

  it.each([
    'await interaction.reply({ content: genericApology(ref, interaction.locale), flags: MessageFlags.Ephemeral });',
    ".addStringOption((o) => described(o.setName('prompt'), 'command.animate.prompt'))",
    "const files = [{ name: view.filename, data: view.video, contentType: 'video/mp4' }];",
    '/** A reply such as reply(\'hello\') or { content: "x" } is what this forbids. */',
    "choice('command.animate.duration.5', '5')",
  ])('leaves alone %j', (source) => {
    expect(findLiteralTexts(source)).toEqual([]);
  });
});

describe('the sources outside the catalogue', () => {
  const files = [...sourceFiles('src'), ...sourceFiles('commands')];

  it('are all scanned', () => {
    expect(files).toEqual(expect.arrayContaining(['commands/animate.ts', 'commands/animate-admin.ts', 'src/discord/discord-replies.ts']));
    expect(files.some((f) => f.startsWith('src/catalogue/'))).toBe(false);
  });

  it('build no member-facing text from a literal', () => {
    const findings = files.flatMap((file) =>
      findLiteralTexts(readFileSync(join(ROOT, file), 'utf8')).map((f) => `${file}:${f.line} ${f.shape}: ${f.text}`),
    );
    expect(findings).toEqual([]);
  });
});
