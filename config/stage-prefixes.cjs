/**
 * The stage's modelsPrefix and outputPrefix, checked while the service is packaged (serverless.yml
 * reads the functions' MODELS_PREFIX and OUTPUT_PREFIX here) and again by loadConfig at cold
 * start (src/config.ts). Outputs are written to `<outputPrefix><modelId>/<job>/` in the models
 * bucket, so if either prefix lies under the other, or modelsPrefix is empty, an output ending
 * in `.tar.gz` or `/optimization.json` is a new drop: a loop of jobs that costs GPU time.
 */

/** A prefix as the pipeline uses it: empty, or ending in `/`. */
function normalizePrefix(prefix) {
  const text = String(prefix ?? '');
  return text === '' || text.endsWith('/') ? text : `${text}/`;
}

/** Why these prefixes would make the pipeline take its own outputs as drops; [] when they are sound. */
function prefixProblems(modelsPrefix, outputPrefix) {
  const models = normalizePrefix(modelsPrefix);
  const output = normalizePrefix(outputPrefix);
  if (models === '') {
    return ['modelsPrefix is empty: every object in the bucket, the outputs included, would be a drop'];
  }
  if (output.startsWith(models) || models.startsWith(output)) {
    return [
      `outputPrefix "${output}" and modelsPrefix "${models}" overlap: an output ending in .tar.gz or /optimization.json would start a new job; give them disjoint prefixes such as "models/" and "optimized/"`,
    ];
  }
  return [];
}

/** serverless.yml's resolver for one of the two prefixes: the normalized value, or the problem. */
const checked =
  (name) =>
  async ({ resolveVariable }) => {
    const modelsPrefix = await resolveVariable('param:modelsPrefix');
    const outputPrefix = await resolveVariable('param:outputPrefix');
    const problems = prefixProblems(modelsPrefix, outputPrefix);
    if (problems.length > 0) throw new Error(`stage parameters: ${problems.join('; ')}`);
    return normalizePrefix(name === 'modelsPrefix' ? modelsPrefix : outputPrefix);
  };

module.exports = {
  normalizePrefix,
  prefixProblems,
  modelsPrefix: checked('modelsPrefix'),
  outputPrefix: checked('outputPrefix'),
};
