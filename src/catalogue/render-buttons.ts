/** The buttons under a delivered video, their Remix form and their private answers, in the member's language. */
import type { RerollRefusal } from '../animation/reroll-animation.ts';
import { catalogue } from './catalogue.ts';

export interface ResultButtonLabels {
  reroll: string;
  remix: string;
  tenSeconds: string;
  delete: string;
}

export function resultButtonLabels(locale: string | undefined): ResultButtonLabels {
  const c = catalogue(locale);
  return {
    reroll: c.t('result.button.reroll'),
    remix: c.t('result.button.remix'),
    tenSeconds: c.t('result.button.ten_seconds'),
    delete: c.t('result.button.delete'),
  };
}

export interface RemixFormTexts {
  title: string;
  prompt: string;
  negativePrompt: string;
  negativePromptPlaceholder: string;
}

export function remixFormTexts(locale: string | undefined): RemixFormTexts {
  const c = catalogue(locale);
  return {
    title: c.t('result.remix.title'),
    prompt: c.t('result.remix.prompt'),
    negativePrompt: c.t('result.remix.negative_prompt'),
    negativePromptPlaceholder: c.t('result.remix.negative_prompt.placeholder'),
  };
}

export function rerollRefusalText(why: RerollRefusal, locale: string | undefined): string {
  const c = catalogue(locale);
  return why === 'expired' ? c.t('result.expired') : c.t('result.not_found');
}

export function deleteRefusalText(locale: string | undefined): string {
  return catalogue(locale).t('result.delete.not_allowed');
}
