// ui: small public Hugging Face models of the architectures we read, with approximate weight sizes (the picker's list).

/** A hub model we have checked loads: repo, what it is, and how much there is to download. */
export interface CuratedModel {
  readonly repo: string;
  readonly label: string;
  readonly about: string;
  /** Size of the safetensors weights, in MB (opening reads only the headers; each tensor downloads when picked). */
  readonly weightsMB: number;
}

export const CURATED_MODELS: readonly CuratedModel[] = [
  { repo: 'HuggingFaceTB/SmolLM2-135M', label: 'SmolLM2 135M', about: 'Llama family, 30 layers, bf16', weightsMB: 270 },
  { repo: 'openai-community/gpt2', label: 'GPT-2 124M', about: 'GPT-2, Conv1D weights stored transposed, fp32', weightsMB: 548 },
  { repo: 'EleutherAI/pythia-70m', label: 'Pythia 70M', about: 'GPT-NeoX, fused QKV, fp16', weightsMB: 166 },
  { repo: 'nickypro/tinyllama-15M', label: 'TinyStories 15M', about: 'llama2.c stories15M in Llama format, fp32', weightsMB: 61 },
  { repo: 'Qwen/Qwen2.5-0.5B', label: 'Qwen2.5 0.5B', about: 'Llama family with q/k/v biases, bf16', weightsMB: 988 },
];

/** "about 3 s on 100 Mbit/s" for one tensor of `mb` megabytes. */
export function downloadTime(mb: number, mbitPerSecond = 100): string {
  const s = (mb * 8) / mbitPerSecond;
  return s < 1 ? 'under a second' : `about ${Math.round(s)} s`;
}
