/** The learned router's public surface: what the gateway and the CLI use. */
export { createLearnedRouter, loadLearnedRouter, type LearnedRouter } from './learned-router.js';
export { promptTextFromMessages, CONTEXT_CHARACTERS } from './prompt-text.js';
export { trainRouter, DEFAULT_TRAINING, type TrainRouterOptions } from './train-router.js';
export { readRouterFile, writeRouterFile, validateRouterFile, RouterFileError, type RouterFile } from './router-file.js';
export { DEFAULT_ROUTER_PATH } from './default-router.js';
