/**
 * The benchmark commands ({@code benchmark-step}, {@code benchmark-train}, {@code benchmark-augment},
 * {@code cost-model}), each measuring the job against a PyTorch peer or projecting its costs, and
 * their helpers: the PyTorch peer processes under {@code deploy/bench}, peak resident memory and the
 * machine's load average. Benchmarks, not tests; the job itself is in {@code sparkssl.job}.
 */
package sparkssl.job.bench;
