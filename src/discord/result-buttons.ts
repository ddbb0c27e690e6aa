/**
 * The buttons under a delivered video: Re-roll, Remix, 10 s version (only under a 5 s video) and Delete.
 * They must keep working after a restart and a custom_id holds at most 100 characters, so each carries the
 * task id (a key into the store: the task record and its kept picture), never the request itself.
 */
import { ButtonStyle, ComponentType } from 'discord.js';
import { resultButtonLabels } from '../catalogue/render-buttons.ts';
import type { FinalView } from '../tasks/reply-port.ts';
import type { TaskRecord } from '../tasks/task-record.ts';

/** `<prefix><task id>`: a 36-character id after at most 19 characters of prefix. */
export const RESULT_BUTTON_PREFIX = {
  reroll: 'animate-reroll:',
  remix: 'animate-remix:',
  tenSeconds: 'animate-ten:',
  delete: 'animate-delete:',
} as const;

/** Where the video was delivered: the member's reply, a channel post that mentions them, or a direct message. */
export type DeliveryPlace = 'reply' | 'channel' | 'direct';

/**
 * The row under a video. A direct message has Delete only: it is outside the server, where a new generation
 * has no member roles to price it and no channel to answer in.
 */
export function resultComponents(task: TaskRecord, view: FinalView, place: DeliveryPlace): unknown[] {
  if (view.kind !== 'video' && view.kind !== 'video_link') return [];
  const labels = resultButtonLabels(task.locale);
  const button = (style: ButtonStyle, label: string, prefix: string) => ({
    type: ComponentType.Button,
    style,
    label,
    custom_id: `${prefix}${task.id}`,
  });
  const again =
    place === 'direct'
      ? []
      : [
          button(ButtonStyle.Primary, labels.reroll, RESULT_BUTTON_PREFIX.reroll),
          button(ButtonStyle.Secondary, labels.remix, RESULT_BUTTON_PREFIX.remix),
          ...(task.options.duration === '5' ? [button(ButtonStyle.Secondary, labels.tenSeconds, RESULT_BUTTON_PREFIX.tenSeconds)] : []),
        ];
  return [
    { type: ComponentType.ActionRow, components: [...again, button(ButtonStyle.Danger, labels.delete, RESULT_BUTTON_PREFIX.delete)] },
  ];
}
