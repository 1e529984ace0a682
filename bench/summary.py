"""Prints the median requests/s and p99 latency per scenario from bench/run.sh's wrk output."""
import pathlib
import re
import statistics
import sys

out = pathlib.Path(sys.argv[1])
runs = {}
for path in sorted(out.glob("round-*.txt")):
    scenario = path.stem.split("-", 2)[2]
    text = path.read_text()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", text).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    runs.setdefault(scenario, []).append((rps, p99, int(errors.group(1)) if errors else 0))

print(f"\n{'scenario':<20}{'median req/s':>14}{'median p99 ms':>15}{'runs (req/s)':>30}{'runs (p99 ms)':>26}"
      f"{'errors':>8}")
for scenario, results in runs.items():
    rps = statistics.median(r[0] for r in results)
    p99 = statistics.median(r[1] for r in results)
    each = ", ".join(f"{r[0]:.0f}" for r in results)
    each_p99 = ", ".join(f"{r[1]:.2f}" for r in results)
    print(f"{scenario:<20}{rps:>14.0f}{p99:>15.2f}{each:>30}{each_p99:>26}{sum(r[2] for r in results):>8}")
def ratio(numerator, denominator, what):
    if numerator in runs and denominator in runs:
        value = (statistics.median(r[0] for r in runs[numerator])
                 / statistics.median(r[0] for r in runs[denominator]))
        print(f"{what}: {value:.2f}")


print()
ratio("agents-random-org", "bare-agents", "scoped agent list / bare query endpoint")
ratio("agents-random-org", "me", "scoped agent list / GET /api/me")
ratio("single", "me", "single usage events / GET /api/me")
ratio("batch", "bare-batch", "usage batches / bare JDBC batch insert of the same rows")
ratio("blocked10", "allowed", "checks with 10 % blocked and recorded / every check allowed")
