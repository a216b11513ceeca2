/** `--color` choices; apart from output.ts so that parsing the command line loads no output code. */
export const COLOR_WHEN = ['auto', 'always', 'never'] as const;
export type ColorWhen = (typeof COLOR_WHEN)[number];
