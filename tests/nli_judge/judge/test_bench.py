"""``python -m nli_judge.judge.bench`` on the shipped model (one timed run per case)."""

import json

from nli_judge.judge.bench import main


def test_bench_counts_the_pairs_it_scores(capsys):
    main(["--repeats", "1", "--warmup", "0", "--max-windows", "2", "--json"])
    fast = json.loads(capsys.readouterr().out)
    assert fast["max_windows"] == 2
    assert fast["4x4"]["pairs_per_answer"] == 4 * 2  # 4 claims x 2 windows
    assert fast["long"]["pairs_per_answer"] == 4 * 2
    assert fast["4x4"]["p50_ms"] > 0 and fast["4x4"]["pairs_per_s"] > 0
    main(["--repeats", "1", "--warmup", "0", "--max-windows", "0", "--cases", "4x4", "--json"])
    every = json.loads(capsys.readouterr().out)
    assert every["max_windows"] is None and "long" not in every
    # every claim against every window, and each of the 4 passages makes at least one window
    pairs = every["4x4"]["pairs_per_answer"]
    assert pairs % 4 == 0 and pairs >= 4 * 4 > fast["4x4"]["pairs_per_answer"]
