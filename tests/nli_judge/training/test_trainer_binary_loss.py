"""Binary faithfulness rows train entailment against not-entailment on the 3-way head."""

import math

import torch

from nli_judge.training.trainer import soft_target_loss


def test_binary_rows_use_two_way_cross_entropy():
    logits = torch.tensor([[2.0, 0.0, 1.0], [2.0, 0.0, 1.0]])
    soft = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])   # supported, unsupported
    p = torch.softmax(logits[0], 0)
    loss = soft_target_loss(logits, soft, binary=torch.tensor([True, True]))
    expected = (-math.log(p[0]) - math.log(p[1] + p[2])) / 2
    assert float(loss) == pytest_approx(expected)
    # an unsupported row does not care whether the mass is on neutral or contradiction
    moved = torch.tensor([[2.0, 1.0, 0.0]])
    assert float(soft_target_loss(moved, soft[1:], binary=torch.tensor([True]))) == pytest_approx(
        float(soft_target_loss(logits[1:], soft[1:], binary=torch.tensor([True]))))
    # 3-way rows in the same batch keep the 3-class loss
    mixed = soft_target_loss(logits, soft, binary=torch.tensor([False, True]))
    three = -math.log(p[0])
    assert float(mixed) == pytest_approx((three - math.log(p[1] + p[2])) / 2)


def pytest_approx(x):
    import pytest

    return pytest.approx(float(x), rel=1e-5)


def test_a_diverged_run_stops_with_a_clear_error(tmp_path):
    import pytest
    from transformers import TrainerControl, TrainerState

    from nli_judge.training.trainer import EpochTable

    table = EpochTable(tmp_path)
    state = TrainerState()
    state.global_step = 125
    table.on_log(None, state, TrainerControl(), logs={"loss": 0.7, "grad_norm": 1.2})
    with pytest.raises(FloatingPointError, match="diverged at step 125"):
        table.on_log(None, state, TrainerControl(), logs={"loss": 0.0, "grad_norm": float("nan")})
