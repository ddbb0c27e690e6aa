/**
 * Whether the commands Discord has for the application are the ones this code offers: a command added since
 * the last `npm run deploy-commands` is invisible to members, and a changed one shows old options. Only the
 * fields the code decides are compared (names, descriptions, option shapes, choices), so the extra fields
 * Discord adds (ids, versions, defaults) never count as a change.
 */
import { z } from 'zod';

/** A name's or description's translations (asked for with `with_localizations=true`); null when there are none. */
const localizationsSchema = z.record(z.string(), z.string().nullable()).nullish();

const optionSchema: z.ZodType<RegisteredOption> = z.lazy(() =>
  z.object({
    name: z.string(),
    name_localizations: localizationsSchema,
    description: z.string().optional(),
    description_localizations: localizationsSchema,
    type: z.number().optional(),
    required: z.boolean().optional(),
    choices: z
      .array(z.object({ name: z.string(), name_localizations: localizationsSchema, value: z.union([z.string(), z.number()]) }))
      .optional(),
    options: z.array(optionSchema).optional(),
  }),
);

type Localizations = Partial<Record<string, string | null>> | null;

interface RegisteredOption {
  name: string;
  name_localizations?: Localizations | undefined;
  description?: string | undefined;
  description_localizations?: Localizations | undefined;
  type?: number | undefined;
  required?: boolean | undefined;
  choices?: { name: string; name_localizations?: Localizations | undefined; value: string | number }[] | undefined;
  options?: RegisteredOption[] | undefined;
}

/** Discord's list of application commands, read tolerantly: what is not a command is ignored. */
export const registeredCommandsSchema = z.array(z.unknown()).transform((items) =>
  items.flatMap((item) => {
    const parsed = optionSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  }),
);

export interface CommandDrift {
  /** Offered by the code, unknown to Discord. */
  missing: string[];
  /** Known to Discord with other descriptions, options or choices. */
  changed: string[];
}

export function commandDrift(local: readonly RegisteredOption[], registered: readonly RegisteredOption[]): CommandDrift {
  const byName = new Map(registered.map((command) => [command.name, command]));
  const missing: string[] = [];
  const changed: string[] = [];
  for (const command of local) {
    const remote = byName.get(command.name);
    if (!remote) missing.push(command.name);
    else if (shape(remote) !== shape(command)) changed.push(command.name);
  }
  return { missing, changed };
}

function shape(option: RegisteredOption): string {
  return JSON.stringify([
    option.name,
    localizationsShape(option.name_localizations),
    option.description ?? '',
    localizationsShape(option.description_localizations),
    option.type ?? 1,
    option.required ?? false,
    (option.choices ?? []).map((choice) => [choice.name, localizationsShape(choice.name_localizations), String(choice.value)]),
    (option.options ?? []).map(shape),
  ]);
}

/** Translations in a stable order, without the empty ones (null means none, as Discord reads it). */
function localizationsShape(map: Localizations | undefined): [string, string][] {
  return Object.entries(map ?? {})
    .flatMap(([locale, text]) => (typeof text === 'string' ? [[locale, text] as [string, string]] : []))
    .sort(([a], [b]) => a.localeCompare(b));
}
