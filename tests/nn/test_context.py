from __future__ import annotations

import torch

from genlab.nn.context import ClassContext, ClassEmbedding


def test_one_hot_context_has_no_weights():
    context = ClassContext(4)
    assert context(torch.tensor([3])).tolist() == [[0.0, 0.0, 0.0, 1.0]]
    assert context.dim == 4 and not list(context.parameters())


def test_embedding_has_a_learned_null_row_for_guidance():
    emb = ClassEmbedding(3, dim=5, null=True)
    out = emb(torch.tensor([0, -1, -1]))
    assert out.shape == (3, 5) and torch.equal(out[1], out[2]) and not torch.equal(out[0], out[1])
    assert torch.equal(out[1], emb.table.weight[3])
