/** Principal components of a set of vectors (ml-matrix's symmetric eigendecomposition of the covariance). */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface PrincipalComponents {
  mean: Float64Array;
  /** `count` unit vectors, largest variance first. */
  components: Float64Array[];
  /** Share of the total variance each component explains. */
  explained: number[];
}

export function principalComponents(vectors: readonly Float32Array[], count: number): PrincipalComponents {
  const dimensions = vectors[0].length;
  const mean = new Float64Array(dimensions);
  for (const vector of vectors) for (let column = 0; column < dimensions; column++) mean[column] += vector[column] / vectors.length;
  const covariance = new Float64Array(dimensions * dimensions);
  const centred = new Float64Array(dimensions);
  for (const vector of vectors) {
    for (let column = 0; column < dimensions; column++) centred[column] = vector[column] - mean[column];
    for (let row = 0; row < dimensions; row++) {
      const value = centred[row];
      const offset = row * dimensions;
      for (let column = row; column < dimensions; column++) covariance[offset + column] += value * centred[column];
    }
  }
  const matrix = new Matrix(dimensions, dimensions);
  for (let row = 0; row < dimensions; row++) {
    for (let column = row; column < dimensions; column++) {
      const value = covariance[row * dimensions + column] / vectors.length;
      matrix.set(row, column, value);
      matrix.set(column, row, value);
    }
  }
  const decomposition = new EigenvalueDecomposition(matrix, { assumeSymmetric: true });
  const values = decomposition.realEigenvalues;
  const order = values.map((_, index) => index).sort((left, right) => values[right] - values[left]);
  const total = values.reduce((sum, value) => sum + Math.max(0, value), 0);
  const eigenvectors = decomposition.eigenvectorMatrix;
  const chosen = order.slice(0, count);
  return {
    mean,
    components: chosen.map((index) => Float64Array.from(eigenvectors.getColumn(index))),
    explained: chosen.map((index) => values[index] / total),
  };
}
