// Types of demo/words.js, for its unit test (test/demo-words.test.ts).
export function deviceName(userAgent: string | null | undefined): string;
export function errorSentence(
  body: { error?: { code?: string; message?: string } } | undefined,
  status: number,
): string;
