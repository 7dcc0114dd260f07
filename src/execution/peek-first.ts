/**
 * Pulls the first item of an async iterable, then returns an iterable that yields it again
 * followed by the rest. Errors before the first item surface as a rejected promise.
 */
export async function peekFirst<T>(iterable: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const iterator = iterable[Symbol.asyncIterator]();
  const first = await iterator.next();
  return {
    [Symbol.asyncIterator]() {
      let replayed = false;
      return {
        next() {
          if (!replayed) {
            replayed = true;
            return Promise.resolve(first);
          }
          return iterator.next();
        },
        return(value?: unknown) {
          return iterator.return ? iterator.return(value) : Promise.resolve({ done: true, value: undefined as T });
        },
      };
    },
  };
}
