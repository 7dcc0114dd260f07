/**
 * The semantic layer: a stored answer served for a question worded differently.
 *
 * - What is compared is the embedding of the last user message alone. Everything else must be
 *   equal: the tenant, the named model, the surface, the system and developer prompts (hashed),
 *   and every other request field (hashed) form the partition a question is looked up in, so
 *   different instructions or a different `response_format` never match.
 * - Conversations longer than `max_messages` (system prompts not counted) are not matched:
 *   their answer depends on more than the last question. Answers that call tools are never
 *   remembered (cache-stage.ts).
 * - The index is in memory, per partition, bounded (least recently used out first): at most
 *   `semantic_index_size` vectors per partition and 1,000 partitions. It holds vectors and
 *   addresses only; the answers live in the cache store, so an index entry whose answer expired
 *   or was cleared is dropped when it is found. An instance's index knows the questions it
 *   stored itself: with Redis, exact entries are shared by every instance, semantic matches
 *   are per instance.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import type { ChatExchange } from '../pipeline/chat-exchange.js';
import type { CacheAddress } from './cache-key.js';
import type { CacheEntry } from './cache-entry.js';
import type { CacheSettings } from './cache-schema.js';
import type { CacheStore } from './cache-store.js';
import { messageText } from './message-text.js';

/** Embeds a text into a unit vector. */
export type Embed = (text: string, model: string) => Promise<Float32Array>;

export interface Question {
  partition: string;
  text: string;
  embeddingModel: string;
  vector?: Float32Array;
}

interface IndexEntry {
  vector: Float32Array;
  address: CacheAddress;
}

const MAX_PARTITIONS = 1000;
const IGNORED_FIELDS = new Set(['messages', 'stream', 'stream_options', 'user', 'metadata', 'store']);

export class SemanticCache {
  private readonly partitions = new Map<string, Map<string, IndexEntry>>();

  constructor(
    private readonly store: CacheStore,
    private readonly embed: Embed,
    private readonly indexSize: number,
  ) {}

  /** The question a request asks, or undefined when the semantic layer does not apply to it. */
  question(exchange: ChatExchange, tenant: string, settings: CacheSettings): Question | undefined {
    const { request } = exchange;
    const instructions = createHash('sha256');
    let turns = 0;
    for (const message of request.messages) {
      if (message.role === 'system' || message.role === 'developer') instructions.update(message.role).update('\0').update(messageText(message)).update('\0');
      else turns++;
    }
    const last = request.messages[request.messages.length - 1];
    if (turns > settings.semantic.max_messages || last?.role !== 'user') return undefined;
    const text = messageText(last);
    if (text.trim() === '') return undefined;
    const rest: Record<string, unknown> = {};
    for (const field of Object.keys(request)) if (!IGNORED_FIELDS.has(field)) rest[field] = request[field];
    const partition = createHash('sha256')
      .update(`${tenant}\0${exchange.surface}\0${settings.semantic.embedding}\0`)
      .update(instructions.digest())
      .update(stringify(rest) ?? '')
      .digest('hex');
    return { partition, text, embeddingModel: settings.semantic.embedding };
  }

  /** The nearest stored answer at or above the threshold, with its similarity. */
  async find(question: Question, settings: CacheSettings, now: number): Promise<{ entry: CacheEntry; similarity: number } | undefined> {
    const index = this.partitions.get(question.partition);
    if (!index || index.size === 0) return undefined;
    const vector = await this.vectorOf(question);
    let best: [string, IndexEntry] | undefined;
    let bestSimilarity = -1;
    for (const candidate of index) {
      const similarity = dot(vector, candidate[1].vector);
      if (similarity > bestSimilarity) {
        bestSimilarity = similarity;
        best = candidate;
      }
    }
    if (!best || bestSimilarity < settings.semantic.threshold) return undefined;
    const entry = await this.store.get(best[1].address, now);
    if (!entry) {
      index.delete(best[0]);
      return undefined;
    }
    // Most recently used last: the first entry is the one to drop.
    index.delete(best[0]);
    index.set(best[0], best[1]);
    return { entry, similarity: Math.min(1, bestSimilarity) };
  }

  /** Adds a stored answer's question to its partition's index. */
  async remember(question: Question, address: CacheAddress, _entry: CacheEntry): Promise<void> {
    const vector = await this.vectorOf(question);
    let index = this.partitions.get(question.partition);
    if (index) this.partitions.delete(question.partition);
    else index = new Map();
    this.partitions.set(question.partition, index);
    if (this.partitions.size > MAX_PARTITIONS) this.partitions.delete(this.partitions.keys().next().value!);
    index.delete(address.hash);
    index.set(address.hash, { vector, address });
    if (index.size > this.indexSize) index.delete(index.keys().next().value!);
  }

  /** Forgets every vector (after `DELETE /api/cache`; entries whose answers are gone would be dropped on use anyway). */
  clear(): void {
    this.partitions.clear();
  }

  private async vectorOf(question: Question): Promise<Float32Array> {
    question.vector ??= await this.embed(question.text, question.embeddingModel);
    return question.vector;
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  const length = Math.min(a.length, b.length);
  let sum = 0;
  for (let index = 0; index < length; index++) sum += a[index]! * b[index]!;
  return sum;
}
