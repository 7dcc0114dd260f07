/**
 * `data:` URLs, the way OpenAI clients inline images and files (`data:image/png;base64,iVBO…`).
 * Providers with their own inline format (Anthropic's base64 source, Gemini's inlineData) need
 * the media type and the base64 payload apart.
 */

export interface DataUrl {
  mediaType: string;
  /** Base64 payload, without the `data:…;base64,` prefix. */
  data: string;
}

/** Splits a base64 data URL, or returns undefined when `url` is not one. */
export function parseDataUrl(url: string): DataUrl | undefined {
  const match = /^data:([^;,]+)(?:;[^;,]+)*;base64,(.*)$/s.exec(url);
  if (!match) return undefined;
  return { mediaType: match[1]!, data: match[2]! };
}

const MEDIA_TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
};

/**
 * Guesses a media type from a URL's file extension, for upstreams that want one next to a URL
 * (Gemini's fileData). Returns undefined for an unknown extension.
 */
export function mediaTypeFromUrl(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return MEDIA_TYPES_BY_EXTENSION[extension];
}
