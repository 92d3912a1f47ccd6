#!/usr/bin/env node
// `model-opt` runs the TypeScript sources through tsx (a dependency for this reason), so a fresh
// clone works after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
