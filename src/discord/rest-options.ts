import type { RESTOptions } from 'discord.js';

/**
 * REST options for discord.js, shared by the bot and the deploy script.
 *
 * `makeRequest` is Node's own fetch: by default @discordjs/rest sends uploads through its bundled undici's
 * `request` with Node's global FormData, and once the bot loads undici 8 (which installs itself as the
 * process-wide dispatcher) that combination is refused ("body must be a FormData created by this undici
 * package instance"), so every file upload would fail. fetch serialises the FormData itself.
 */
export function discordRestOptions(apiUrl: string): Partial<RESTOptions> {
  return {
    api: apiUrl,
    makeRequest: ((url: string, init: RequestInit) => fetch(url, init)) as unknown as RESTOptions['makeRequest'],
  };
}
