/**
 * Every HTTP endpoint of the gateway: the inbound model APIs (surfaces), then health and the
 * admin API. One list, so the whole surface of the gateway is readable in one place.
 */
import { addAuditRoutes } from '../audit/audit-handlers.js';
import { addKeyRoutes } from '../governance/admin/key-handlers.js';
import { addLimitsRoutes } from '../governance/admin/limits-handlers.js';
import { addBatchRoutes } from '../batch/batch-handlers.js';
import { addCacheRoutes } from '../cache/cache-handlers.js';
import { handleCountTokens, handleMessages, writeAnthropicError } from '../surfaces/anthropic-messages/messages-handler.js';
import { handleChatCompletions } from '../surfaces/openai-chat/chat-completions-handler.js';
import { handleEmbeddings } from '../surfaces/embeddings/embeddings-handler.js';
import { handleCreateResponse, handleDeleteResponse, handleGetResponse } from '../surfaces/openai-responses/responses-handler.js';
import { handleDeploymentHealth } from './handlers/deployment-health.js';
import { handleConfigReload } from './handlers/config-reload.js';
import { handleRouteReload } from './handlers/route-reload.js';
import { handleHealth, handleLive, handleReady } from './handlers/health.js';
import { handleListModels, handleRetrieveModel } from './handlers/models.js';
import { handleProcessMetrics } from './handlers/process-metrics.js';
import { handleMetrics } from '../observability/metrics/metrics-handler.js';
import { addDashboardRoutes } from '../observability/dashboard/dashboard-handlers.js';
import { addUiRoutes } from '../observability/dashboard/ui-files.js';
import { handleRecentRequests, handleSpend } from './handlers/spend.js';
import { HttpRoutes } from './http-routes.js';
import { addComparisonRoutes } from '../shadow/comparison-handlers.js';
import { addReviewRoutes } from '../review/review-handlers.js';
import { handleFeedback } from '../feedback/feedback-handler.js';
import { addExperimentRoutes } from '../experiments/experiment-handlers.js';

export function gatewayRoutes(): HttpRoutes {
  const routes = new HttpRoutes()
    // Model APIs: each request is one row of the request log.
    .add('POST', '/v1/chat/completions', handleChatCompletions, { logged: true })
    .add('POST', '/chat/completions', handleChatCompletions, { logged: true })
    .add('POST', '/v1/messages', handleMessages, { logged: true, writeError: writeAnthropicError })
    .add('POST', '/v1/messages/count_tokens', handleCountTokens, { writeError: writeAnthropicError })
    .add('POST', '/v1/embeddings', handleEmbeddings, { logged: true })
    .add('POST', '/v1/responses', handleCreateResponse, { logged: true })
    .add('POST', '/responses', handleCreateResponse, { logged: true })
    .add('GET', '/v1/responses/{id}', handleGetResponse)
    .add('DELETE', '/v1/responses/{id}', handleDeleteResponse)
    .add('POST', '/v1/feedback', handleFeedback)
    .add('GET', '/v1/models', handleListModels)
    .add('GET', '/v1/models/{id}', handleRetrieveModel)
    .add('GET', '/health', handleHealth)
    .add('GET', '/health/live', handleLive)
    .add('GET', '/health/ready', handleReady)
    // Prometheus (the admin key, once one is set).
    .add('GET', '/metrics', handleMetrics)
    // Admin API (the admin key, once one is set).
    .add('GET', '/api/spend', handleSpend)
    .add('GET', '/api/requests', handleRecentRequests)
    .add('GET', '/api/health/deployments', handleDeploymentHealth)
    .add('GET', '/api/metrics', handleProcessMetrics)
    .add('POST', '/api/config/reload', handleConfigReload)
    .add('POST', '/api/routes/{name}/reload', handleRouteReload);
  addBatchRoutes(routes);
  addKeyRoutes(routes);
  addLimitsRoutes(routes);
  addCacheRoutes(routes);
  addAuditRoutes(routes);
  addComparisonRoutes(routes);
  addReviewRoutes(routes);
  addExperimentRoutes(routes);
  addDashboardRoutes(routes);
  addUiRoutes(routes);
  return routes;
}
