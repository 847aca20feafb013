// bench: the hand-written parts of docs/BENCHMARKS.md (what the figures mean, how they are taken, what limits each target), kept apart from the formatter.
import type { LimitsText } from './report';

export const INTRO = `# Benchmarks`;
export const METHOD = `## How`;
export const NOTES = ``;
export const LIMITS: LimitsText = { peer: '', quant: '', fwht: '', control: '', first: '', js: '', scale: '' };
