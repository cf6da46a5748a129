import math

import pytest
import torch

from nli_judge.training.trainer import soft_target_loss


def test_soft_target_loss_matches_hand_computation():
    logits = torch.log(torch.tensor([[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]]))
    soft = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.3, 0.7]])
    # pair 1: -log .7 ; pair 2: -(.3 log .25 + .7 log .5)
    l1, l2 = -math.log(0.7), -(0.3 * math.log(0.25) + 0.7 * math.log(0.5))
    assert soft_target_loss(logits, soft).item() == pytest.approx((l1 + l2) / 2, rel=1e-5)
    w = torch.tensor([1.0, 0.5])
    assert soft_target_loss(logits, soft, w).item() == pytest.approx((l1 + 0.5 * l2) / 2,
                                                                     rel=1e-5)
    # smoothing 0.3 on pair 1: target (.8, .1, .1)
    ls = -(0.8 * math.log(0.7) + 0.1 * math.log(0.2) + 0.1 * math.log(0.1))
    got = soft_target_loss(logits[:1], soft[:1], label_smoothing=0.3).item()
    assert got == pytest.approx(ls, rel=1e-5)


def test_hard_one_hot_equals_plain_cross_entropy():
    logits = torch.randn(5, 3)
    labels = torch.tensor([0, 1, 2, 1, 0])
    soft = torch.nn.functional.one_hot(labels, 3).float()
    expected = torch.nn.functional.cross_entropy(logits, labels, label_smoothing=0.1)
    assert soft_target_loss(logits, soft, label_smoothing=0.1).item() == pytest.approx(
        expected.item(), rel=1e-5)
