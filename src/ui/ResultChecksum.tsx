// ui: the results checksum beside the metrics, so two people can see at a glance that their numbers match.
import { type ChecksumMetrics, resultChecksum } from '../spec/link';

export function ResultChecksum({ metrics }: { readonly metrics: ChecksumMetrics }) {
  return (
    <span
      className="result-checksum"
      title="8 hex digits of a hash of MSE, SQNR, max |error| and bits per weight to 4 significant digits (docs/SPEC.md). The same link gives the same checksum here and in `lowbit run`."
    >
      checksum <code data-testid="result-checksum">{resultChecksum(metrics)}</code>
    </span>
  );
}
