-- wrk prints p50/p75/p90/p99 with --latency; this adds the p95 bench/sources.sh reports.
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\n", latency:percentile(95)))
end
