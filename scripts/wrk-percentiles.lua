-- Prints wrk's latency percentiles as one machine-readable line (microseconds).
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d p50=%d p95=%d p99=%d rps=%.0f\n",
    summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.requests / (summary.duration / 1e6)))
end
