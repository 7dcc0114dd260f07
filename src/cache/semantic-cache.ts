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
 *   or was cleared is dropped when it is found.
 * - With Redis, the questions are also appended to a log per partition in Redis (a stream, kept
 *   to about `semantic_index_size` entries), and each lookup first reads what other instances
 *   appended since this one last looked: one round trip, carrying only new questions.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import type { ChatExchange } from '../pipeline/chat-exchange.js';
import type { RequestScope } from '../pipeline/request-scope.js';
import type { CacheAddress } from './cache-key.js';
import type { CacheEntry } from './cache-entry.js';
import type { CacheSettings } from './cache-schema.js';
import { isSharedQuestionLog, type CacheStore, type SharedQuestionLog } from './cache-store.js';
import { messageText } from './message-text.js';

/** Embeds a text into a unit vector; a call to a model is billed to `scope`'s request. */
export type Embed = (text: string, model: string, scope: RequestScope) => Promise<Float32Array>;

export interface Question {
  scope: RequestScope;
  partition: string;
  text: string;
  embeddingModel: string;
  vector?: Float32Array;
}

interface IndexEntry {
  vector: Float32Array;
  address: CacheAddress;
}

interface Partition {
  entries: Map<string, IndexEntry>;
  /** The shared log's last id this instance has read. */
  lastRead: string;
}

const MAX_PARTITIONS = 1000;
const IGNORED_FIELDS = new Set(['messages', 'stream', 'stream_options', 'user', 'metadata', 'store']);

export class SemanticCache {
  private readonly partitions = new Map<string, Partition>();
  private readonly shared: SharedQuestionLog | undefined;

  constructor(
    private readonly store: CacheStore,
    private readonly embed: Embed,
    private readonly indexSize: number,
  ) {
    this.shared = isSharedQuestionLog(store) ? store : undefined;
  }

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
    return { scope: exchange.scope, partition, text, embeddingModel: settings.semantic.embedding };
  }

  /** The nearest stored answer at or above the threshold, with its similarity. */
  async find(question: Question, settings: CacheSettings, now: number): Promise<{ entry: CacheEntry; similarity: number } | undefined> {
    const partition = await this.partitionOf(question.partition, !this.shared);
    const index = partition?.entries;
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
  async remember(question: Question, address: CacheAddress, entry: CacheEntry): Promise<void> {
    const vector = await this.vectorOf(question);
    const partition = (await this.partitionOf(question.partition, false))!;
    this.add(partition, address, vector);
    await this.shared?.appendQuestion(question.partition, { address, vector }, this.indexSize, entry.expires_at - entry.created_at);
  }

  /** The partition, most recently used last, with what other instances appended read in; undefined when unknown and `onlyExisting`. */
  private async partitionOf(key: string, onlyExisting: boolean): Promise<Partition | undefined> {
    let partition = this.partitions.get(key);
    if (partition) this.partitions.delete(key);
    else if (onlyExisting) return undefined;
    else partition = { entries: new Map(), lastRead: '0' };
    this.partitions.set(key, partition);
    if (this.partitions.size > MAX_PARTITIONS) this.partitions.delete(this.partitions.keys().next().value!);
    if (this.shared) {
      const appended = await this.shared.questionsSince(key, partition.lastRead);
      partition.lastRead = appended.last;
      for (const logged of appended.questions) this.add(partition, logged.address, logged.vector);
    }
    return partition;
  }

  private add(partition: Partition, address: CacheAddress, vector: Float32Array): void {
    const index = partition.entries;
    index.delete(address.hash);
    index.set(address.hash, { vector, address });
    if (index.size > this.indexSize) index.delete(index.keys().next().value!);
  }

  /** Forgets every vector (after `DELETE /api/cache`; entries whose answers are gone would be dropped on use anyway). */
  clear(): void {
    this.partitions.clear();
  }

  private async vectorOf(question: Question): Promise<Float32Array> {
    question.vector ??= await this.embed(question.text, question.embeddingModel, question.scope);
    return question.vector;
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  const length = Math.min(a.length, b.length);
  let sum = 0;
  for (let index = 0; index < length; index++) sum += a[index]! * b[index]!;
  return sum;
}
