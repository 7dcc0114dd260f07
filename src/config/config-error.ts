/** A configuration problem, named by key path (and file line when known). Never holds a secret. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
