#!/usr/bin/env bash
# The guardrail evaluator alone (JMH, sample mode): 50 enabled rules of mixed types on a
# 4 KB text, one thread. Prints the sampled percentiles; the target is a p99 under 1 ms.
# No server and no database. Usage: bench/guardrails.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=target/bench-guardrails
mkdir -p "$OUT"
./mvnw -B -ntp -q test-compile
./mvnw -B -ntp -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt"
java -cp "target/test-classes:target/classes:$(cat "$OUT/classpath.txt")" org.openjdk.jmh.Main RuleSetBench \
  -rf text -rff "$OUT/result.txt" | tee "$OUT/output.txt" | grep -E "p\(|Benchmark|RuleSetBench" || true
