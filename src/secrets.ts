/**
 * Finds credentials inside free text, so that nothing the bot writes (its logs above all) carries one.
 * The logger runs every string through a scrubber; other modules can use `scrubText` and `redactUrl` for text
 * that leaves the process some other way.
 */

export const REDACTED = '[redacted]';

/**
 * Field names whose values are credentials wherever they appear (interaction tokens included: anyone holding
 * one can edit the member's reply for 15 minutes).
 */
export const SECRET_FIELD_NAME = /token|authorization|api[-_]?key|password|passwd|secret|cookie|credential/i;

/**
 * Exact secrets shorter than this are not searched for: a 3-character password would turn every "the" in the
 * logs into "[redacted]". The URL rules below still hide a short password where it normally appears.
 */
const MIN_SECRET_LENGTH = 6;

// Characters that end a URL in running text, in a JSON string, or in an HTML attribute.
const URL_END = String.raw`\s"'<>\\` + '`';

/**
 * Webhook and interaction URLs carry the interaction token in the path, and discord.js quotes that URL in its
 * errors: `/webhooks/<application id>/<token>/messages/@original`, `/interactions/<id>/<token>/callback`.
 */
const TOKEN_IN_DISCORD_PATH = new RegExp(String.raw`(/(?:webhooks|interactions)/\d+/)[^/?#${URL_END}]+`, 'g');

/** Interaction tokens are base64url of `interaction:<id>:…`, so they are recognisable even outside a URL. */
const BARE_INTERACTION_TOKEN = /aW50ZXJhY3Rpb246[A-Za-z0-9_.-]+/g;

/**
 * A Discord bot token: base64 of the bot's user id, a timestamp and an HMAC, dot-separated. Catches a token
 * that is not (or no longer) the configured one, such as another bot's or one pasted in the wrong variable.
 */
const BOT_TOKEN_SHAPE = /\b[MNO][A-Za-z\d_-]{22,27}\.[A-Za-z\d_-]{6,7}\.[A-Za-z\d_-]{27,40}\b/g;

/**
 * `redis://user:password@host`. The password may itself contain `@` (`redis://user:p@ss@db:6379`), so the
 * userinfo runs to the LAST `@` of the URL, which is where Redis clients split it too. Over-redacting a rare
 * `@` in a path is the safe mistake.
 */
const REDIS_USERINFO = new RegExp(String.raw`\b(rediss?://)([^${URL_END}]*)@`, 'gi');

/** Any other `scheme://userinfo@host`: the userinfo ends at the last `@` before the path, query or fragment. */
const URL_USERINFO = new RegExp(String.raw`\b([a-z][a-z0-9+.-]*://)([^/?#${URL_END}]*)@`, 'gi');

/**
 * Query parameters that sign or authorise a URL: S3 and Google presigned links, Azure SAS (`sig`), Discord
 * CDN (`hm`), and the usual token parameters. `Expires`, `ex` and the like stay: they say when a link dies.
 */
const SIGNED_QUERY_PARAM = new RegExp(
  String.raw`([?&;](?:x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|signature|sig|hm|token|access_token|auth|key|api_key|apikey|password|secret)=)[^&#${URL_END}]+`,
  'gi',
);

const redactUserinfo = (_match: string, scheme: string, userinfo: string): string => {
  // Usernames cannot hold `:`, so the password starts after the first one. Without a `:` the clients read
  // the whole userinfo as the password (`redis://secret@host`).
  const colon = userinfo.indexOf(':');
  return colon === -1 ? `${scheme}${REDACTED}@` : `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
};

/** Every form an exact secret may take in text: as is, percent-encoded (in a URL) and JSON-escaped. */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret that contains another is removed whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Returns a function that removes the given exact secrets and every recognisable credential from a text
 * (with `patterns: false`, the exact secrets only).
 */
export function createScrubber(
  secrets: readonly string[] = [],
  { patterns = true }: { patterns?: boolean } = {},
): (text: string) => string {
  const forms = secretForms(secrets);
  return (text) => {
    let out = text;
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    if (!patterns) return out;
    return out
      .replace(TOKEN_IN_DISCORD_PATH, `$1${REDACTED}`)
      .replace(BARE_INTERACTION_TOKEN, REDACTED)
      .replace(BOT_TOKEN_SHAPE, REDACTED)
      .replace(REDIS_USERINFO, redactUserinfo)
      .replace(URL_USERINFO, redactUserinfo)
      .replace(SIGNED_QUERY_PARAM, `$1${REDACTED}`);
  };
}

const scrubPatterns = createScrubber();

/** Removes the given exact secrets and every recognisable credential from a text. */
export function scrubText(text: string, secrets: readonly string[] = []): string {
  return secrets.length === 0 ? scrubPatterns(text) : createScrubber(secrets)(text);
}

/** A URL fit for a log line or an error message: no password, no interaction token, no signature. */
export function redactUrl(url: string): string {
  return scrubPatterns(url);
}

/**
 * The password a URL carries (a Redis STORE_URL), as written and decoded, for the logger's exact secrets:
 * so the password is also hidden where it appears on its own. Parsed by the last `@`, like the clients do.
 */
export function urlSecrets(url: string): string[] {
  const match = /^rediss?:\/\//i.test(url) ? /^rediss?:\/\/(.*)@/i.exec(url) : /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url);
  const userinfo = match?.[1];
  if (userinfo === undefined) return [];
  const colon = userinfo.indexOf(':');
  const password = colon === -1 ? userinfo : userinfo.slice(colon + 1);
  if (password === '') return [];
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // Not valid percent-encoding: the client will use it as written.
  }
  return [...new Set([password, decoded])];
}
