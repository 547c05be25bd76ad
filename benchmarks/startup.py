"""`voicejournal --help` and `list` on an empty journal, in fresh processes (target: <= 150 ms each)."""

import sys
import tempfile

from common import report, time_command, voicejournal


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        env = {"VOICEJOURNAL_HOME": home}
        lines = ["startup (fresh process, median of 15 runs)"]
        baseline = time_command([sys.executable, "-c", "pass"], runs=15)
        lines.append(f"  python -c pass           {baseline['median_ms']:6.1f} ms")
        for args in (["--help"], ["list"], ["list", "--json"]):
            figures = time_command(voicejournal(*args), runs=15, env=env)
            lines.append(
                f"  voicejournal {' '.join(args):<12} {figures['median_ms']:6.1f} ms "
                f"(min {figures['min_ms']:.1f}, max {figures['max_ms']:.1f})"
            )
    report("startup", lines)


if __name__ == "__main__":
    main()
