/**
 * Automatic titles (Dify's auto_generate, orq's generate-name): a pluggable generator that names
 * a conversation from its first user message. The local default is deterministic and needs no
 * network; an OpenAI-compatible endpoint can be configured instead.
 */
import { countGraphemes, normalizeTitle, takeGraphemes } from '../rules/title.ts';

export interface TitleGenerator {
  /** A title for a conversation that starts with `firstMessage`; rejects when it cannot. */
  generate(firstMessage: string): Promise<string>;
}

/** Generated titles are at most this many graphemes, plus an ellipsis when cut. */
export const GENERATED_TITLE_GRAPHEMES = 75;

// Quotes of many scripts: a title is a name, not a quotation.
const QUOTES = /["'`“”‘’«»„‚‹›「」『』〝〞＂＇]/gu;
// Control characters and line breaks become spaces, so a multi-line message makes one line.
const BREAKS = /[\p{Cc}\p{Zl}\p{Zp}\s]+/gu;

/**
 * Shapes free text into a valid title: one line, no quotes, at most 75 graphemes plus "…" when
 * cut (never inside an emoji or a combining sequence). Null when nothing usable is left.
 */
export function titleFromText(text: string): string | null {
  const line = text.normalize('NFC').replace(QUOTES, '').replace(BREAKS, ' ').trim();
  if (!line) return null;
  const title =
    countGraphemes(line) > GENERATED_TITLE_GRAPHEMES
      ? `${takeGraphemes(line, GENERATED_TITLE_GRAPHEMES).trimEnd()}…`
      : line;
  const checked = normalizeTitle(title);
  return checked.ok ? checked.title : null;
}

/** The default: the first user message itself, shaped into a title. Works in every language. */
export const localTitleGenerator: TitleGenerator = {
  generate(firstMessage) {
    const title = titleFromText(firstMessage);
    return title
      ? Promise.resolve(title)
      : Promise.reject(new Error('The message has no text to name it from.'));
  },
};

export interface OpenAiTitleOptions {
  /** e.g. https://api.openai.com/v1 (the path /chat/completions is appended). */
  baseUrl: string;
  apiKey?: string | undefined;
  model: string;
  timeoutMs: number;
}

const INSTRUCTIONS =
  'Write a short title (at most 8 words) for a conversation that begins with the next message. ' +
  'Use the language of the message. Reply with the title only, without quotes.';

/** Any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, LiteLLM…). */
export function openAiTitleGenerator(options: OpenAiTitleOptions): TitleGenerator {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  return {
    async generate(firstMessage) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiKey && { authorization: `Bearer ${options.apiKey}` }),
        },
        body: JSON.stringify({
          model: options.model,
          messages: [
            { role: 'system', content: INSTRUCTIONS },
            { role: 'user', content: firstMessage.slice(0, 4000) },
          ],
          max_tokens: 40,
          temperature: 0.2,
        }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (!response.ok) throw new Error(`Title endpoint answered ${response.status}`);
      const body = (await response.json()) as { choices?: { message?: { content?: unknown } }[] };
      const content = body.choices?.[0]?.message?.content;
      const title = typeof content === 'string' ? titleFromText(content) : null;
      if (!title) throw new Error('Title endpoint returned no usable title');
      return title;
    },
  };
}
