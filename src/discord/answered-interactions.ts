/**
 * Tells "acknowledgements first" (src/tasks/acknowledgements-first.ts) that an interaction is answered as soon
 * as its first response reaches Discord, whichever handler sent it and however long that handler goes on
 * afterwards (a video sent again from /animate-history defers, then downloads and uploads for seconds).
 * Counting only finished handlers would hold every new request's work back all that time.
 *
 * Every first response, through discord.js's REST client, is a POST to the interaction's callback route; the
 * client reports each response it gets, refused ones included (a refused answer is not waited for either).
 * The request's own deferral does not go through that client and reports itself (src/animation/request-animation.ts).
 */
import { RESTEvents, type REST } from 'discord.js';

/** `/interactions/<id>/<token>/callback`: the interaction's id, or undefined for any other route. */
export function callbackInteractionId(path: string): string | undefined {
  return /^\/interactions\/(\d+)\/[^/]+\/callback$/.exec(path)?.[1];
}

export function reportFirstResponses(rest: REST, acknowledgements: { answered(interactionId: string): void }): void {
  rest.on(RESTEvents.Response, (request) => {
    const id = callbackInteractionId(request.path);
    if (id !== undefined) acknowledgements.answered(id);
  });
}
