/**
 * L2-regularised logistic regression on sparse rows, fitted with L-BFGS. Full-batch and
 * deterministic: the same data gives the same weights, so cross-validation figures reproduce
 * exactly. Labels may be soft (0..1), which lets graded judge scores train the same model.
 */

export interface SparseRow {
  indices: Int32Array;
  values: Float64Array;
}

export interface TrainingExample {
  features: SparseRow;
  /** Target probability in [0, 1]. */
  label: number;
  /** Relative importance in the loss. */
  weight: number;
}

export interface LogisticRegressionOptions {
  dimension: number;
  /** L2 penalty on the weights (not the bias), relative to the mean loss: one for all, or one per weight. */
  l2: number | Float64Array;
  maxIterations?: number;
  /** Stop when the gradient's largest component falls below this. */
  tolerance?: number;
}

export interface LogisticModel {
  bias: number;
  weights: Float64Array;
}

export function sigmoid(logit: number): number {
  return logit >= 0 ? 1 / (1 + Math.exp(-logit)) : Math.exp(logit) / (1 + Math.exp(logit));
}

export function fitLogisticRegression(examples: readonly TrainingExample[], options: LogisticRegressionOptions): LogisticModel {
  const { dimension, l2 } = options;
  const size = dimension + 1; // the last coordinate is the bias
  const totalWeight = examples.reduce((sum, example) => sum + example.weight, 0);
  if (totalWeight <= 0) throw new Error('training needs examples with positive weight');

  const evaluate = (parameters: Float64Array, gradient: Float64Array): number => {
    gradient.fill(0);
    let loss = 0;
    const bias = parameters[dimension];
    for (const example of examples) {
      const { indices, values } = example.features;
      let logit = bias;
      for (let index = 0; index < indices.length; index++) logit += parameters[indices[index]] * values[index];
      const probability = sigmoid(logit);
      // Cross-entropy with a soft label, written to stay finite for large |logit|.
      loss += example.weight * (Math.max(logit, 0) - logit * example.label + Math.log1p(Math.exp(-Math.abs(logit))));
      const residual = (example.weight * (probability - example.label)) / totalWeight;
      for (let index = 0; index < indices.length; index++) gradient[indices[index]] += residual * values[index];
      gradient[dimension] += residual;
    }
    loss /= totalWeight;
    for (let index = 0; index < dimension; index++) {
      const penalty = typeof l2 === 'number' ? l2 : l2[index];
      loss += 0.5 * penalty * parameters[index] * parameters[index];
      gradient[index] += penalty * parameters[index];
    }
    return loss;
  };

  const parameters = minimiseWithLbfgs(evaluate, new Float64Array(size), options.maxIterations ?? 300, options.tolerance ?? 1e-6);
  return { bias: parameters[dimension], weights: parameters.subarray(0, dimension) };
}

type Objective = (parameters: Float64Array, gradient: Float64Array) => number;

function dot(left: Float64Array, right: Float64Array): number {
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += left[index] * right[index];
  return sum;
}

function largestMagnitude(vector: Float64Array): number {
  let largest = 0;
  for (let index = 0; index < vector.length; index++) largest = Math.max(largest, Math.abs(vector[index]));
  return largest;
}

/** Limited-memory BFGS with a backtracking (Armijo) line search; enough for a convex smooth loss. */
function minimiseWithLbfgs(objective: Objective, start: Float64Array, maxIterations: number, tolerance: number): Float64Array {
  const memory = 10;
  const size = start.length;
  let parameters = start;
  let gradient = new Float64Array(size);
  let loss = objective(parameters, gradient);
  const steps: Float64Array[] = [];
  const gradientChanges: Float64Array[] = [];
  const curvatures: number[] = [];
  const direction = new Float64Array(size);
  const alphas = new Float64Array(memory);

  for (let iteration = 0; iteration < maxIterations && largestMagnitude(gradient) > tolerance; iteration++) {
    // Two-loop recursion: direction = -H·gradient.
    direction.set(gradient);
    for (let index = steps.length - 1; index >= 0; index--) {
      alphas[index] = curvatures[index] * dot(steps[index], direction);
      const change = gradientChanges[index];
      for (let coordinate = 0; coordinate < size; coordinate++) direction[coordinate] -= alphas[index] * change[coordinate];
    }
    const last = steps.length - 1;
    const scale = last >= 0 ? 1 / (curvatures[last] * dot(gradientChanges[last], gradientChanges[last])) : 1 / Math.max(1e-12, Math.sqrt(dot(gradient, gradient)));
    for (let coordinate = 0; coordinate < size; coordinate++) direction[coordinate] *= scale;
    for (let index = 0; index < steps.length; index++) {
      const beta = curvatures[index] * dot(gradientChanges[index], direction);
      const step = steps[index];
      for (let coordinate = 0; coordinate < size; coordinate++) direction[coordinate] += (alphas[index] - beta) * step[coordinate];
    }
    for (let coordinate = 0; coordinate < size; coordinate++) direction[coordinate] = -direction[coordinate];

    let slope = dot(gradient, direction);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      steps.length = gradientChanges.length = curvatures.length = 0;
      for (let coordinate = 0; coordinate < size; coordinate++) direction[coordinate] = -gradient[coordinate];
      slope = dot(gradient, direction);
    }
    let stepLength = 1;
    const candidate = new Float64Array(size);
    const candidateGradient = new Float64Array(size);
    let candidateLoss = Infinity;
    for (let attempt = 0; attempt < 40; attempt++) {
      for (let coordinate = 0; coordinate < size; coordinate++) candidate[coordinate] = parameters[coordinate] + stepLength * direction[coordinate];
      candidateLoss = objective(candidate, candidateGradient);
      if (candidateLoss <= loss + 1e-4 * stepLength * slope) break;
      stepLength /= 2;
    }
    if (!(candidateLoss < loss)) break;

    const step = new Float64Array(size);
    const change = new Float64Array(size);
    for (let coordinate = 0; coordinate < size; coordinate++) {
      step[coordinate] = candidate[coordinate] - parameters[coordinate];
      change[coordinate] = candidateGradient[coordinate] - gradient[coordinate];
    }
    const curvature = dot(step, change);
    if (curvature > 1e-12) {
      if (steps.length === memory) {
        steps.shift();
        gradientChanges.shift();
        curvatures.shift();
      }
      steps.push(step);
      gradientChanges.push(change);
      curvatures.push(1 / curvature);
    }
    // Routing only needs the order of scores; past this the ranking no longer changes.
    const converged = loss - candidateLoss < 1e-8 * Math.max(1, Math.abs(loss));
    parameters = candidate;
    gradient = candidateGradient;
    loss = candidateLoss;
    if (converged) break;
  }
  return parameters;
}
