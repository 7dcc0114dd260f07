/** Every page, in nav order. A new page is one module and one line here. */
import type { Page } from '../page';
import { experimentsPage } from './experiments';
import { keysPage } from './keys';
import { overviewPage } from './overview';
import { requestsPage } from './requests';
import { reviewsPage } from './reviews';
import { routingPage } from './routing';

export const PAGES: readonly Page[] = [overviewPage, routingPage, requestsPage, reviewsPage, experimentsPage, keysPage];
