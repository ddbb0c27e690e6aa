import type { BaseInteraction } from 'discord.js';
import type { TaskRecord } from '../tasks/task-record.ts';

/** Discord's default upload limit for bots, when an interaction does not say (10 MiB since January 2025). */
export const DEFAULT_ATTACHMENT_LIMIT = 10 * 1024 * 1024;

/**
 * How a task answers the member who asked: the interaction's reply (its token lives 15 minutes) and the
 * upload limit Discord gave with it (boosted servers allow more). Every front end hands the request this.
 */
export function replyHandleOf(interaction: BaseInteraction): TaskRecord['interaction'] {
  return {
    id: interaction.id,
    applicationId: interaction.applicationId,
    token: interaction.token,
    createdAt: interaction.createdTimestamp,
    attachmentSizeLimit: uploadLimitOf(interaction),
  };
}

export function uploadLimitOf(interaction: BaseInteraction): number {
  return interaction.attachmentSizeLimit || DEFAULT_ATTACHMENT_LIMIT;
}
