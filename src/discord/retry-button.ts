/**
 * The "Try again" button on the final message of a task whose submission outcome was unknown. It must keep
 * working after a restart, and a component's custom_id holds at most 100 characters: it carries the task id
 * (a key into the store, whose final records are kept 30 days), never the request itself.
 */
import { ButtonStyle, ComponentType } from 'discord.js';
import { retryButtonLabel } from '../catalogue/render-history.ts';
import type { FinalView } from '../tasks/reply-port.ts';
import type { TaskRecord } from '../tasks/task-record.ts';

/** `animate-retry:<task id>`. */
export const RETRY_BUTTON_PREFIX = 'animate-retry:';

/** The components of a task's final message: a "Try again" button after an unknown submission outcome, else none. */
export function finalComponents(task: TaskRecord, view: FinalView): unknown[] {
  if (view.kind !== 'failed' || view.failure.kind !== 'submit_unknown') return [];
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Primary,
          label: retryButtonLabel(task.locale),
          custom_id: `${RETRY_BUTTON_PREFIX}${task.id}`,
        },
      ],
    },
  ];
}
