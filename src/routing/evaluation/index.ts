/** Router evaluation: datasets, metrics, calibration, predictions and reports. */
export { readRoutingDataset, parseRoutingRows, RoutingDatasetError, type RoutingDataset, type RoutingRow } from './routing-dataset.js';
export { qualityCurve, qualityAtShare, type QualityCurve, type CurvePoint, type RoutingOutcome } from './quality-curve.js';
export { averagePerformanceGapRecovered, callPerformanceThreshold, performanceGapRecovered } from './routing-metrics.js';
export { calibrateThreshold, strongShareAtThreshold, type Calibration } from './threshold-calibration.js';
export { predictAtThreshold, type ThresholdPrediction } from './predict-at-threshold.js';
export { rowCosts, ASSUMED_OUTPUT_TOKENS, type CostOptions } from './request-costs.js';
export { evaluateDataset, type DatasetEvaluation } from './dataset-evaluation.js';
export { summariseRouter, type RouterSummary } from './router-summary.js';
export { routingOutcomes } from './routing-outcomes.js';
export { crossValidate, type CrossValidationResult } from './cross-validation.js';
export { qualityPlotSvg } from './quality-plot-svg.js';
