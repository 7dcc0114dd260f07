/** Offline text embeddings in-process: the static table distilled from the Universal Sentence Encoder. */
export { createStaticEmbedder, loadStaticEmbedder, normalised, type StaticEmbedder } from './static-embedder.js';
export { DEFAULT_EMBEDDING_TABLE_PATH, embedText, sharedStaticEmbedder } from './default-embedder.js';
export { readEmbeddingTable, writeEmbeddingTable, EmbeddingTableError, type EmbeddingTable, type EmbeddingTableHeader } from './embedding-table-file.js';
