/**
 * The "Animate" message menu (long-press a message → Apps → Animate) and its form, in English. Discord
 * allows 45 characters for a form's title and each field's label, 100 for a placeholder (test/catalogue).
 */
export const menuTexts = {
  'menu.form.title': 'Animate this picture',
  'menu.form.prompt': 'How should it move?',
  'menu.form.prompt.placeholder': 'e.g. the waves roll in slowly, the camera pans right',
  'menu.form.duration': 'Length in seconds: 5 or 10 (optional)',
  'menu.form.duration.placeholder': 'Empty: your default, else 5',
  'menu.form.negative_prompt': 'What to avoid (optional)',
  'menu.form.negative_prompt.placeholder': 'e.g. blurry, distorted faces',

  'menu.no_picture': 'That message has no picture. Long-press a message with a photo, then Apps → Animate.',
  /** The form was sent after its picture was forgotten (an hour later), or by someone else. */
  'menu.expired': 'This form has expired. Long-press the message again and choose Apps → Animate.',
  'menu.problem.duration': '❌ The length is 5 or 10 seconds (or leave it empty).',
} as const;
