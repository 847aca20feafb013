// tests (spec layer): exports: the llama.cpp command and the bitsandbytes, torchao and GPTQModel configs of a recipe with their warnings; results as JSON and CSV.
import { describe, expect, it } from 'vitest';
import { intFormat, SYNTHETIC_SPEC } from '../../src/spec/defaults';
import { EXPORT_TARGETS, exportAs, type ExportResult, type ExportTarget, resultsCsv, resultsDocument, type ResultSummary } from '../../src/spec/exportAs';
import { resultChecksum } from '../../src/spec/link';
import { PRESETS } from '../../src/spec/presets';
import type { ExperimentSpec, Recipe } from '../../src/spec/schema';

const hubSpec = (recipe: Recipe): ExperimentSpec => ({
  ...SYNTHETIC_SPEC, recipe,
  source: { kind: 'model', model: { kind: 'hub', repo: 'HuggingFaceTB/SmolLM2-135M', revision: 'main' }, tensor: null },
});
const block = (blockSize: number) => ({ kind: 'block' as const, blockSize });
const row = { kind: 'row' as const, blockSize: 64 };

function available(spec: ExperimentSpec, target: ExportTarget): Extract<ExportResult, { available: true }> {
  const r = exportAs(spec, target);
  if (!r.available) throw new Error(`${target}: expected an export, got "${r.reason}"`);
  return r;
}
const reasonOf = (spec: ExperimentSpec, target: ExportTarget) => {
  const r = exportAs(spec, target);
  return r.available ? `available: ${r.code}` : r.reason;
};

describe('exportAs llama.cpp', () => {
  it('maps the ggml formats to llama-quantize types with --pure, on the spec\'s model', () => {
    const cases: [string, string][] = [['q4_0', 'Q4_0'], ['q8_0', 'Q8_0'], ['q4_1', 'Q4_1'], ['q5_0', 'Q5_0'], ['q5_1', 'Q5_1'], ['q6_k', 'Q6_K'], ['q4_k', 'Q4_K_S'], ['iq4_nl', 'IQ4_NL']];
    for (const [id, type] of cases) {
      const r = available(hubSpec({ format: { kind: 'format', id: id as 'q4_0' }, granularity: block(32) }), 'llama.cpp');
      expect(r.language).toBe('shell');
      expect(r.code).toContain(`llama-quantize --pure SmolLM2-135M-F16.gguf SmolLM2-135M-${type}.gguf ${type}`);
      expect(r.code).toContain('convert_hf_to_gguf.py HuggingFaceTB/SmolLM2-135M --outtype f16');
      expect(r.warnings.some((w) => w.includes('block projections'))).toBe(true);
    }
  });

  it('names the closest ggml type for an integer recipe in blocks of 32, with the difference', () => {
    const q40 = available(hubSpec({ format: intFormat(4, 'sym'), granularity: block(32) }), 'llama.cpp');
    expect(q40.code).toMatch(/ Q4_0$/);
    expect(q40.warnings.join(' ')).toContain('d = max / -8');
    expect(available(hubSpec({ format: intFormat(4, 'asym'), granularity: block(32) }), 'llama.cpp').code).toMatch(/ Q4_1$/);
    expect(available(hubSpec({ format: intFormat(8, 'sym'), granularity: block(32) }), 'llama.cpp').warnings.join(' ')).toContain('ties away from zero');
    expect(reasonOf(hubSpec({ format: intFormat(4, 'sym'), granularity: block(64) }), 'llama.cpp')).toMatch(/no block type equal/);
    expect(reasonOf(hubSpec({ format: { kind: 'format', id: 'mxfp4' }, granularity: block(32) }), 'llama.cpp')).toMatch(/MXFP4_MOE/);
  });
});

describe('exportAs bitsandbytes', () => {
  it('writes BitsAndBytesConfig for NF4, NF4 + double quant and bitsandbytes FP4, warning only about block crossing at block 64', () => {
    const nf4 = available(hubSpec({ format: { kind: 'format', id: 'nf4-dq' }, granularity: block(64) }), 'bitsandbytes');
    expect(nf4.code).toContain('bnb_4bit_quant_type="nf4"');
    expect(nf4.code).toContain('bnb_4bit_use_double_quant=True');
    expect(nf4.code).toContain('from_pretrained("HuggingFaceTB/SmolLM2-135M", quantization_config=quantization_config)');
    expect(nf4.warnings).toEqual(['bitsandbytes blocks the flattened weight, so blocks cross rows unless the row length is a multiple of 64.']);
    const fp4 = available(hubSpec({ format: { kind: 'format', id: 'fp4-bnb' }, granularity: block(128) }), 'bitsandbytes');
    expect(fp4.code).toContain('bnb_4bit_quant_type="fp4"');
    expect(fp4.warnings.join(' ')).toContain('blocks of 64');
    expect(fp4.warnings.join(' ')).not.toContain('not E2M1');
  });

  it('warns that bitsandbytes FP4 is not E2M1 when the recipe is OCP FP4', () => {
    const r = available(hubSpec({ format: { kind: 'format', id: 'fp4-e2m1' }, granularity: block(64) }), 'bitsandbytes');
    expect(r.code).toContain('bnb_4bit_quant_type="fp4"');
    expect(r.warnings.join(' ')).toMatch(/bitsandbytes FP4 is not E2M1/);
  });

  it('maps INT8 per row to LLM.int8() and refuses what bitsandbytes has no format for', () => {
    const r = available(hubSpec({ format: intFormat(8, 'sym'), granularity: row }), 'bitsandbytes');
    expect(r.code).toContain('load_in_8bit=True');
    expect(r.warnings.join(' ')).toContain('outlier');
    expect(reasonOf(hubSpec({ format: intFormat(4, 'sym'), granularity: block(64) }), 'bitsandbytes')).toMatch(/none of them/);
  });
});

describe('exportAs torchao', () => {
  it('uses IntxWeightOnlyConfig with the mapping and granularity, warning that SYMMETRIC is full range', () => {
    const asym = available(hubSpec({ format: intFormat(3, 'asym'), granularity: block(64) }), 'torchao');
    expect(asym.code).toContain('IntxWeightOnlyConfig(weight_dtype=torch.int3, granularity=PerGroup(64), mapping_type=MappingType.ASYMMETRIC)');
    expect(asym.code).toContain('from torchao.quantization import IntxWeightOnlyConfig, MappingType, PerGroup');
    expect(asym.warnings).toEqual([]);
    const sym = available(hubSpec({ format: intFormat(8, 'sym'), granularity: row }), 'torchao');
    expect(sym.code).toContain('granularity=PerAxis(0), mapping_type=MappingType.SYMMETRIC');
    expect(sym.warnings.join(' ')).toContain('lowbit\'s "sym" uses absmax/127');
    expect(available(hubSpec({ format: intFormat(4, 'sym-full'), granularity: block(32) }), 'torchao').warnings).toEqual([]);
  });

  it('uses Int4WeightOnlyConfig for a 4-bit float zero point, FP8 and NVFP4 configs, and refuses the rest', () => {
    expect(available(hubSpec({ format: intFormat(4, 'asym-float'), granularity: block(128) }), 'torchao').code).toContain('Int4WeightOnlyConfig(group_size=128)');
    expect(available(hubSpec({ format: { kind: 'format', id: 'fp8-e4m3' }, granularity: row }), 'torchao').code).toContain('Float8WeightOnlyConfig');
    expect(available(hubSpec({ format: { kind: 'format', id: 'nvfp4' }, granularity: block(16) }), 'torchao').warnings.join(' ')).toContain('prototype');
    expect(reasonOf(hubSpec({ format: intFormat(4, 'sym'), granularity: { kind: 'tensor', blockSize: 64 } }), 'torchao')).toMatch(/per-tensor/);
    expect(reasonOf(hubSpec({ format: { kind: 'format', id: 'nf4' }, granularity: block(64) }), 'torchao')).toMatch(/none of them/);
  });
});

describe('exportAs GPTQModel', () => {
  it('writes QuantizeConfig with bits, group and sym, and the zero-point and error-feedback warnings', () => {
    const preset = PRESETS.find((p) => p.id === 'gptq-int4-g128');
    if (!preset) throw new Error('preset gptq-int4-g128 is gone');
    const r = available(hubSpec(preset.recipe), 'gptqmodel');
    expect(r.code).toContain('QuantizeConfig(bits=4, group_size=128, sym=False, desc_act=False)');
    expect(r.warnings.join(' ')).toMatch(/zero − 1/);
    expect(r.warnings.join(' ')).toMatch(/calibration/);
    expect(available(hubSpec({ format: intFormat(8, 'sym-full'), granularity: row }), 'gptqmodel').code).toContain('bits=8, group_size=-1, sym=True');
    expect(available(hubSpec({ format: intFormat(4, 'sym'), granularity: block(32) }), 'gptqmodel').warnings.join(' ')).toContain('"sym-full"');
  });

  it('refuses bit widths and formats GPTQ has no kernel for', () => {
    expect(reasonOf(hubSpec({ format: intFormat(5, 'asym'), granularity: block(128) }), 'gptqmodel')).toMatch(/not 5/);
    expect(reasonOf(hubSpec({ format: { kind: 'format', id: 'q4_0' }, granularity: block(32) }), 'gptqmodel')).toMatch(/integers/);
  });
});

describe('exportAs, all targets', () => {
  it('warns about a transform step, stochastic rounding and clipping; refuses VQ and typed codebooks everywhere', () => {
    const withSteps: Recipe = {
      transform: { method: 'hadamard', params: { seed: 1 } },
      format: { ...intFormat(4, 'asym'), rounding: 'stochastic', clip: { kind: 'mse' } },
      granularity: block(32),
    };
    for (const target of ['llama.cpp', 'torchao', 'gptqmodel'] as const) {
      const text = available(hubSpec(withSteps), target).warnings.join(' ');
      expect(text, target).toContain('hadamard step has no equivalent');
      expect(text, target).toContain('stochastic rounding');
      expect(text, target).toContain('MSE clip');
    }
    const vq: Recipe = { transform: { method: 'vq', params: { dim: 2, bits: 8 } }, format: intFormat(4, 'sym'), granularity: block(32) };
    const codebook: Recipe = { format: { kind: 'codebook', levels: [-1, 0, 1], scaling: 'absmax' }, granularity: block(32) };
    for (const target of EXPORT_TARGETS) {
      expect(exportAs(hubSpec(vq), target).available).toBe(false);
      expect(exportAs(hubSpec(codebook), target).available).toBe(false);
    }
  });

  it('points the code at a placeholder for the synthetic tensor and at path/to/<name> for files', () => {
    expect(available({ ...SYNTHETIC_SPEC, recipe: { format: intFormat(4, 'asym'), granularity: block(128) } }, 'gptqmodel').code).toContain('GPTQModel.load("your-org/your-model"');
    const local: ExperimentSpec = { ...hubSpec({ format: { kind: 'format', id: 'nf4' }, granularity: block(64) }), source: { kind: 'model', model: { kind: 'local', name: 'm.safetensors', bytes: 10 }, tensor: null } };
    expect(available(local, 'bitsandbytes').code).toContain('"path/to/m.safetensors"');
  });
});

describe('results as JSON and CSV', () => {
  const result: ResultSummary = {
    backend: 'webgpu', quantizedOn: 'webgpu', rows: 256, cols: 512, groupCount: 2048, groupSize: 64,
    metrics: { mse: 2.5e-5, sqnrDb: Infinity, maxAbsErr: 0.0125, bitsPerWeight: 4.5, cosine: Number.NaN, storageBytes: 73728 } as ResultSummary['metrics'],
    subject: { kind: 'model', tensor: { name: 'model.layers.0.mlp.down_proj.weight' } },
  };
  const link = 'http://127.0.0.1:4173/#s=1.abc';

  it('writes every metric unrounded, infinities and NaN as strings, with link, checksum, shape and groups', () => {
    const doc = resultsDocument(SYNTHETIC_SPEC, result, link);
    const parsed = JSON.parse(JSON.stringify(doc));
    expect(parsed).toEqual({
      format: 'lowbit-results', version: 1, link, checksum: resultChecksum(result.metrics), spec: SYNTHETIC_SPEC,
      backend: 'webgpu', quantizedOn: 'webgpu', tensor: 'model.layers.0.mlp.down_proj.weight', shape: [256, 512],
      groups: { count: 2048, size: 64 },
      metrics: { mse: 2.5e-5, sqnrDb: 'Infinity', maxAbsErr: 0.0125, bitsPerWeight: 4.5, cosine: 'NaN', storageBytes: 73728 },
    });
  });

  it('writes a name,value CSV with CRLF rows and quotes fields that hold commas or quotes', () => {
    const csv = resultsCsv(SYNTHETIC_SPEC, { ...result, subject: { kind: 'synthetic' } }, 'http://x/#s=1.a,"b"');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('name,value');
    expect(lines[1]).toBe('link,"http://x/#s=1.a,""b"""');
    expect(lines).toContain('tensor,synthetic');
    expect(lines).toContain('mse,0.000025');
    expect(lines).toContain('sqnrDb,Infinity');
    expect(lines).toContain(`checksum,${resultChecksum(result.metrics)}`);
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(1 + 9 + 6 + 1);
  });
});
