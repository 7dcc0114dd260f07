/**
 * An upper bound on the input tokens a chat request is billed for, for reservations: message
 * text, and everything else a provider bills as input — tool definitions, the response schema,
 * images and files. Leaving any of them out let a request with 400 KB of tool descriptions and
 * `max_tokens: 5` spend 200× what it reserved.
 */
import { countPromptTokens, countTokens } from '../../cost/token-counter.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';

/**
 * Tokens one image may cost. gpt-4o-mini bills an image at ~33× gpt-4o's tokens (2,833 per
 * image plus 5,667 per 512-px tile, up to 8 tiles at high detail) so that both cost the same;
 * every other current model stays under 4,000 (gpt-4o: 1,445; Claude: ~1,600; patch-billed
 * models: 1,536 patches × a multiplier ≤ 2.5; Gemini: 258 per tile).
 */
const IMAGE_TOKENS_MINI = 48_200;
const IMAGE_TOKENS = 4_000;
/** Files and audio: bound by size, at one token per two bytes of the decoded data (text PDFs run ~4). */
const BYTES_PER_FILE_TOKEN = 2;
/** Tokenizers differ between providers by a few percent; the reservation must not fall short. */
const TOKENIZER_MARGIN = 1.1;

export interface BillableInput {
  /** Text tokens: messages, tools and the response schema, with a margin. */
  textTokens: number;
  images: number;
  /** Tokens of files and audio, bounded by their size. */
  binaryTokens: number;
}

export function billableInput(request: ChatCompletionRequest): BillableInput {
  let text = countPromptTokens(request.messages);
  if (request.tools && request.tools.length > 0) text += countTokens(JSON.stringify(request.tools));
  if (request.response_format?.type === 'json_schema') text += countTokens(JSON.stringify(request.response_format.json_schema));
  let images = 0;
  let binaryTokens = 0;
  for (const message of request.messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) {
      if (part.type === 'image_url') images++;
      else if (part.type === 'file' || part.type === 'input_audio') binaryTokens += Math.ceil(decodedBytes(part) / BYTES_PER_FILE_TOKEN);
    }
  }
  return { textTokens: Math.ceil(text * TOKENIZER_MARGIN) + 8, images, binaryTokens };
}

/** Input tokens of `input` on an upstream model, images priced at that model's rate. */
export function inputTokensOn(input: BillableInput, upstreamModel: string): number {
  if (input.images === 0) return input.textTokens + input.binaryTokens;
  const perImage = upstreamModel.includes('gpt-4o-mini') ? IMAGE_TOKENS_MINI : IMAGE_TOKENS;
  return input.textTokens + input.binaryTokens + input.images * perImage;
}

function decodedBytes(part: object): number {
  const file = (part as { file?: { file_data?: unknown } }).file;
  const audio = (part as { input_audio?: { data?: unknown } }).input_audio;
  const data = typeof file?.file_data === 'string' ? file.file_data : typeof audio?.data === 'string' ? audio.data : '';
  // Base64: four characters carry three bytes. A file id (no inline data) is bounded like one image.
  return data.length > 0 ? Math.ceil((data.length * 3) / 4) : IMAGE_TOKENS * BYTES_PER_FILE_TOKEN;
}
