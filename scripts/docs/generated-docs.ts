/** The docs pages generated from code, by path under the repository root. */
import { configReference } from './config-reference.js';
import { providerMatrix } from './provider-matrix.js';

export const GENERATED_DOCS: Record<string, () => string> = {
  'docs/configuration.md': configReference,
  'docs/providers.md': providerMatrix,
};
