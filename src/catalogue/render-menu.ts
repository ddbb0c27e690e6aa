/** The texts of the "Animate" message menu and its form, in the member's language. */
import { catalogue } from './catalogue.ts';
import { optionProblemText, type OptionProblem } from './render-reply.ts';

export interface MenuFormTexts {
  title: string;
  prompt: string;
  promptPlaceholder: string;
  duration: string;
  durationPlaceholder: string;
  negativePrompt: string;
  negativePromptPlaceholder: string;
}

export function menuFormTexts(locale: string | undefined): MenuFormTexts {
  const c = catalogue(locale);
  return {
    title: c.t('menu.form.title'),
    prompt: c.t('menu.form.prompt'),
    promptPlaceholder: c.t('menu.form.prompt.placeholder'),
    duration: c.t('menu.form.duration'),
    durationPlaceholder: c.t('menu.form.duration.placeholder'),
    negativePrompt: c.t('menu.form.negative_prompt'),
    negativePromptPlaceholder: c.t('menu.form.negative_prompt.placeholder'),
  };
}

/** Why the menu or its form asked for nothing: a private answer. */
export type MenuRefusal = 'no_picture' | 'expired' | 'duration';

export function menuRefusalText(refusal: MenuRefusal, locale: string | undefined): string {
  const c = catalogue(locale);
  switch (refusal) {
    case 'no_picture':
      return c.t('menu.no_picture');
    case 'expired':
      return c.t('menu.expired');
    case 'duration':
      return c.t('menu.problem.duration');
  }
}

/** What was wrong with a sent prompt form (the Animate menu's or Remix's): the length, or a prompt too long. */
export type PromptFormProblem = { field: 'duration' } | Extract<OptionProblem, { field: 'prompt' | 'negative_prompt' }>;

export function promptFormProblemText(problem: PromptFormProblem, locale: string | undefined): string {
  return problem.field === 'duration' ? menuRefusalText('duration', locale) : optionProblemText(problem, locale);
}
