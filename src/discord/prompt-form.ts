/**
 * The form that asks for a prompt and what to avoid (and, for the Animate menu, the length), and the reading
 * of its answer: one builder and one parser for the Animate menu's form and the Remix form under a video.
 */
import { LabelBuilder, ModalBuilder, TextInputBuilder, TextInputStyle, type ModalSubmitInteraction } from 'discord.js';
import { z } from 'zod';
import type { PromptFormProblem } from '../catalogue/render-menu.ts';
import { videoDurationSchema, type VideoDuration } from '../tasks/task-record.ts';

/** The longest prompt (and negative prompt) the video API takes. */
export const PROMPT_MAX = 2500;

const FIELD = { prompt: 'prompt', duration: 'duration', negativePrompt: 'negative_prompt' } as const;

/** The form's words (from the catalogue) and what it opens with; a form without `duration` texts has no length field. */
export interface PromptFormSpec {
  customId: string;
  texts: {
    title: string;
    prompt: string;
    promptPlaceholder?: string;
    negativePrompt: string;
    negativePromptPlaceholder: string;
    duration?: { label: string; placeholder: string };
  };
  values: { prompt?: string; duration?: string; negativePrompt?: string };
}

export function promptForm({ customId, texts, values }: PromptFormSpec): ModalBuilder {
  const prompt = new TextInputBuilder()
    .setCustomId(FIELD.prompt)
    .setStyle(TextInputStyle.Paragraph)
    .setRequired(true)
    .setMinLength(1)
    .setMaxLength(PROMPT_MAX);
  if (texts.promptPlaceholder !== undefined) prompt.setPlaceholder(texts.promptPlaceholder);
  if (values.prompt !== undefined) prompt.setValue(values.prompt);
  const labels = [new LabelBuilder().setLabel(texts.prompt).setTextInputComponent(prompt)];
  if (texts.duration !== undefined) {
    const duration = new TextInputBuilder()
      .setCustomId(FIELD.duration)
      .setStyle(TextInputStyle.Short)
      .setRequired(false)
      .setMaxLength(10)
      .setPlaceholder(texts.duration.placeholder);
    if (values.duration !== undefined) duration.setValue(values.duration);
    labels.push(new LabelBuilder().setLabel(texts.duration.label).setTextInputComponent(duration));
  }
  const negativePrompt = new TextInputBuilder()
    .setCustomId(FIELD.negativePrompt)
    .setStyle(TextInputStyle.Paragraph)
    .setRequired(false)
    .setMaxLength(PROMPT_MAX)
    .setPlaceholder(texts.negativePromptPlaceholder);
  if (values.negativePrompt !== undefined) negativePrompt.setValue(values.negativePrompt);
  labels.push(new LabelBuilder().setLabel(texts.negativePrompt).setTextInputComponent(negativePrompt));
  return new ModalBuilder()
    .setCustomId(customId)
    .setTitle(texts.title)
    .addLabelComponents(...labels);
}

/** An empty optional field means "my default": undefined here, filled in from the member's defaults after. */
const emptyAsUndefined = (value: string) => (value.trim() === '' ? undefined : value.trim());

// The form's fields come from outside, like slash options: checked again here whatever Discord enforced.
const formSchema = z.object({
  prompt: z.string().trim().min(1).max(PROMPT_MAX),
  // "10", "10 s" and "10s" all mean ten seconds: what people type on a phone keyboard.
  duration: z
    .string()
    .transform(emptyAsUndefined)
    .pipe(
      z
        .string()
        .transform((v) => v.replace(/\s*s(ec(onds?)?)?$/i, ''))
        .pipe(videoDurationSchema)
        .optional(),
    ),
  negativePrompt: z.string().transform(emptyAsUndefined).pipe(z.string().max(PROMPT_MAX).optional()),
});

export interface PromptFormAnswer {
  prompt: string;
  /** Left empty (or absent from the form): the member's default applies. */
  duration?: VideoDuration;
  negativePrompt?: string;
}

export type PromptFormReading = { ok: true; answer: PromptFormAnswer } | { ok: false; problem: PromptFormProblem };

/** Reads a sent form built by `promptForm`; `withDuration` says whether it had the length field. */
export function readPromptForm(fields: ModalSubmitInteraction['fields'], { withDuration }: { withDuration: boolean }): PromptFormReading {
  const form = formSchema.safeParse({
    prompt: fields.getTextInputValue(FIELD.prompt),
    duration: withDuration ? fields.getTextInputValue(FIELD.duration) : '',
    negativePrompt: fields.getTextInputValue(FIELD.negativePrompt),
  });
  if (form.success) {
    const { prompt, duration, negativePrompt } = form.data;
    return {
      ok: true,
      answer: { prompt, ...(duration !== undefined ? { duration } : {}), ...(negativePrompt !== undefined ? { negativePrompt } : {}) },
    };
  }
  const path = form.error.issues[0]?.path ?? [];
  if (path.includes('duration')) return { ok: false, problem: { field: 'duration' } };
  return { ok: false, problem: { field: path.includes('negativePrompt') ? 'negative_prompt' : 'prompt', max: PROMPT_MAX } };
}
