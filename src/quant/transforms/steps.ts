// quant: drivers for algorithms written as generators of heavy requests, so the CPU and a GPU kernel run the same loop.
//
// An iterative method (k-means, randomized SVD) yields each heavy step (a matrix product, a
// nearest-codeword assignment) as a request and receives its answer. runSteps answers on the CPU,
// synchronously; runStepsAsync lets src/gpu answer with a kernel. Everything between the requests
// is the same code, so the two paths agree whenever the answers do.

/** Runs `steps` to completion, answering each request with `answer`. */
export function runSteps<Req, Ans, Out>(steps: Generator<Req, Out, Ans>, answer: (request: Req) => Ans): Out {
  let next = steps.next(undefined as Ans);
  while (!next.done) next = steps.next(answer(next.value));
  return next.value;
}

/** {@link runSteps} with an asynchronous answer (a GPU kernel and its readback). */
export async function runStepsAsync<Req, Ans, Out>(steps: Generator<Req, Out, Ans>, answer: (request: Req) => Promise<Ans>): Promise<Out> {
  let next = steps.next(undefined as Ans);
  while (!next.done) next = steps.next(await answer(next.value));
  return next.value;
}
