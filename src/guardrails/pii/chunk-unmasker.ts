/**
 * Unmasks an OpenAI chat completion stream chunk by chunk: the content of each choice, and the
 * arguments of each tool call (by choice and tool-call `index`, as JSON string content), each
 * through its own `StreamUnmasker`. When a choice finishes, whatever its unmaskers still hold
 * goes out in that finishing chunk, so nothing is lost or reordered. A chunk with nothing to
 * change is returned as the same object; a changed one is a copy (see unmask-completion.ts).
 *
 *   const unmasker = new ChunkUnmasker(masker);
 *   for await (const chunk of upstream) send(unmasker.transform(chunk));
 *   for (const chunk of unmasker.finish(lastChunk)) send(chunk);   // only if the stream ended without finish_reason
 *
 * or, as a stage's stream transform: `transformStream(stream, (chunks) => unmaskChunks(chunks, masker))`.
 */
import type { ChatCompletionChunk, ChatCompletionChunkChoice, ToolCallDelta } from '../../protocol/chat-types.js';
import type { PiiMasker } from './pii-masker.js';
import type { UnmaskOptions } from './unmask-completion.js';
import { StreamUnmasker } from './stream-unmasker.js';

interface ChoiceUnmaskers {
  content: StreamUnmasker;
  toolArguments: Map<number, StreamUnmasker>;
}

export class ChunkUnmasker {
  private readonly choices = new Map<number, ChoiceUnmaskers>();

  constructor(
    private readonly masker: PiiMasker,
    private readonly options: UnmaskOptions = {},
  ) {}

  /** The chunk to send in place of `chunk`. */
  transform(chunk: ChatCompletionChunk): ChatCompletionChunk {
    if (this.masker.size === 0 || chunk.choices.length === 0) return chunk;
    let choices: ChatCompletionChunkChoice[] | undefined;
    chunk.choices.forEach((choice, position) => {
      const next = this.transformChoice(choice);
      if (next !== choice) (choices ??= [...chunk.choices])[position] = next;
    });
    return choices ? { ...chunk, choices } : chunk;
  }

  /**
   * For a stream that ended without a finish chunk for some choice (cut short): chunks carrying
   * what is still held, modelled on `last` (id, model, created). Empty when nothing is held.
   */
  finish(last: Pick<ChatCompletionChunk, 'id' | 'created' | 'model'>): ChatCompletionChunk[] {
    const chunks: ChatCompletionChunk[] = [];
    for (const index of [...this.choices.keys()]) {
      const delta = this.drain(index, {});
      if (delta.content !== undefined || delta.tool_calls !== undefined) {
        chunks.push({ id: last.id, object: 'chat.completion.chunk', created: last.created, model: last.model, choices: [{ index, delta, finish_reason: null }] });
      }
    }
    return chunks;
  }

  private transformChoice(choice: ChatCompletionChunkChoice): ChatCompletionChunkChoice {
    const { delta } = choice;
    let next = delta;
    if (typeof delta.content === 'string' && delta.content !== '') {
      const content = this.unmaskers(choice.index).content.push(delta.content);
      if (content !== delta.content) next = { ...next, content };
    }
    if (delta.tool_calls) {
      const toolCalls = delta.tool_calls.map((toolCall) => this.transformToolCall(choice.index, toolCall));
      if (toolCalls.some((toolCall, position) => toolCall !== delta.tool_calls![position])) next = { ...next, tool_calls: toolCalls };
    }
    if (choice.finish_reason !== null && choice.finish_reason !== undefined && this.choices.has(choice.index)) next = this.drain(choice.index, next);
    return next === delta ? choice : { ...choice, delta: next };
  }

  private transformToolCall(choiceIndex: number, toolCall: ToolCallDelta): ToolCallDelta {
    const argumentsDelta = toolCall.function?.arguments;
    if (typeof argumentsDelta !== 'string' || argumentsDelta === '') return toolCall;
    const unmaskers = this.unmaskers(choiceIndex);
    let unmasker = unmaskers.toolArguments.get(toolCall.index);
    if (!unmasker) unmaskers.toolArguments.set(toolCall.index, (unmasker = new StreamUnmasker(this.masker, 'json-string')));
    const argumentsText = unmasker.push(argumentsDelta);
    return argumentsText === argumentsDelta ? toolCall : { ...toolCall, function: { ...toolCall.function, arguments: argumentsText } };
  }

  /** Adds what the choice's unmaskers hold to `delta`, and forgets the choice. */
  private drain(choiceIndex: number, delta: ChatCompletionChunkChoice['delta']): ChatCompletionChunkChoice['delta'] {
    const unmaskers = this.choices.get(choiceIndex);
    this.choices.delete(choiceIndex);
    if (!unmaskers) return delta;
    let next = delta;
    const content = unmaskers.content.flush();
    if (content !== '') next = { ...next, content: (typeof next.content === 'string' ? next.content : '') + content };
    const held: ToolCallDelta[] = [];
    for (const [index, unmasker] of unmaskers.toolArguments) {
      const rest = unmasker.flush();
      if (rest !== '') held.push({ index, function: { arguments: rest } });
    }
    if (held.length > 0) next = { ...next, tool_calls: [...(next.tool_calls ?? []), ...held] };
    return next;
  }

  private unmaskers(choiceIndex: number): ChoiceUnmaskers {
    let unmaskers = this.choices.get(choiceIndex);
    if (!unmaskers) this.choices.set(choiceIndex, (unmaskers = { content: new StreamUnmasker(this.masker, this.options.contentMode ?? 'text'), toolArguments: new Map() }));
    return unmaskers;
  }
}

/** The unmasked stream of `chunks`, with what is still held at the end sent after the last chunk. */
export async function* unmaskChunks(chunks: AsyncIterable<ChatCompletionChunk>, masker: PiiMasker, options: UnmaskOptions = {}): AsyncGenerator<ChatCompletionChunk> {
  const unmasker = new ChunkUnmasker(masker, options);
  let last: ChatCompletionChunk | undefined;
  for await (const chunk of chunks) {
    last = chunk;
    yield unmasker.transform(chunk);
  }
  if (last) yield* unmasker.finish(last);
}
