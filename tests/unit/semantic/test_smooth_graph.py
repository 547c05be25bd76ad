"""A layer norm's outliers moved into the 8-bit products that read it: the same product with narrower
inputs, on a small graph, then the real model, all in 8 bits and smoothed, against the packaged one."""

import numpy as np
import pytest

from tests.unit.semantic.agreement import agreement, assert_agrees, session_pair
from voicejournal.semantic.int8_graph import MS_DOMAIN, Node, Weights, rewrite
from voicejournal.semantic.smooth_graph import smooth


def quantise(w):
    """`w` (float32) as int8 with one float32 scale per column: (int8 matrix, scales), as the packaged model
    stores its weights."""
    column_scales = np.maximum(np.abs(w).max(axis=0), np.float32(1e-12)) / np.float32(127.0)
    return np.rint(w / column_scales[None, :]).astype(np.int8), column_scales.astype(np.float32)


def small_layer():
    """A layer norm with two wide columns read by an 8-bit product and by a residual sum."""
    rng = np.random.default_rng(3)
    weights = Weights([], {})
    gain = np.ones(64, dtype=np.float32)
    gain[[5, 40]] = 30.0  # the outliers
    shift = np.zeros(64, dtype=np.float32)
    shift[7] = 12.0
    q, scales = quantise(rng.standard_normal((64, 32)).astype(np.float32))
    for name, value in (("gain", gain), ("shift", shift), ("w_q", q), ("w_scale", scales.reshape(1, -1))):
        weights.add(name, value)
    nodes = [
        Node("LayerNormalization", ["x", "gain", "shift"], ["y"], "norm"),
        Node("DynamicQuantizeMatMul", ["y", "w_q", "w_scale", "", "b"], ["h"], "product", MS_DOMAIN),
        Node("Add", ["h", "y"], ["out"], "residual"),
    ]
    return nodes, weights, rng


def test_the_product_reads_the_layer_norm_divided_and_the_residual_keeps_it_whole():
    nodes, weights, _ = small_layer()
    out, made = smooth(nodes, weights)
    assert [(n.op, n.inputs[:3], n.outputs) for n in out] == [
        ("LayerNormalization", ["x", "gain", "shift"], ["y"]),
        ("Mul", ["y", "y/smoothing"], ["y/smoothed"]),
        ("DynamicQuantizeMatMul", ["y/smoothed", "h/smoothed_q", "h/smoothed_scale"], ["h"]),
        ("Add", ["h", "y"], ["out"]),
    ]
    assert out[2].inputs[3:] == ["", "b"]  # its bias is kept
    assert made == {"smoothed": 1}


def test_the_smoothed_product_is_the_same_product_with_narrower_inputs():
    nodes, weights, rng = small_layer()
    before = weights.array("w_q").astype(np.float32) * weights.array("w_scale")
    out, _ = smooth(nodes, weights)
    y = rng.standard_normal((10, 64)).astype(np.float32) * weights.array("gain") + weights.array("shift")
    divided = y * weights.array("y/smoothing")
    after = weights.array("h/smoothed_q").astype(np.float32) * weights.array("h/smoothed_scale")
    exact = y @ before
    assert np.abs(divided @ after - exact).max() < 0.02 * np.abs(exact).max()
    widths = np.abs(y).max(axis=0)
    smoothed_widths = np.abs(divided).max(axis=0)
    # the widest column against the median one: the ratio the 8-bit input's steps are lost to
    assert widths.max() / np.median(widths) > 20
    assert smoothed_widths.max() / np.median(smoothed_widths) < 6


def test_a_layer_norm_read_by_no_8_bit_product_is_left_as_it_is():
    nodes, weights, _ = small_layer()
    nodes = [nodes[0], Node("MatMul", ["y", "w"], ["h"]), nodes[2]]
    out, made = smooth(nodes, weights)
    assert out == nodes and made == {"smoothed": 0}


@pytest.fixture(scope="module")
def sessions():
    """Sessions of the packaged model, the smoothed one and the one all in 8 bits unsmoothed."""
    from voicejournal.semantic.embedder import fuse_and_smooth, model_file

    data = model_file().read_bytes()
    smoothed, made = rewrite(data, then=fuse_and_smooth)
    # each layer's query, key, value and first feed-forward product read a layer norm: 4 x 6
    assert made["smoothed"] == 24 and made["DynamicQuantizeMatMul"] == 36
    unsmoothed, _ = rewrite(data, keep_float=0)
    return (*session_pair(data, smoothed), session_pair(data, unsmoothed)[1])


def test_the_smoothed_model_agrees_with_the_packaged_one_better_than_unsmoothed(sessions):
    packaged, smoothed, unsmoothed = sessions
    # onnxruntime's 8-bit kernels differ by processor: measured for "ok" 0.984 smoothed (0.977 unsmoothed)
    # on one machine, 0.977 (0.972) on an AMD EPYC with AVX2 and no VNNI; 0.990-0.996 for the others on both.
    # With AVX-512 VNNI the unsmoothed graph loses less, and on a sentence it already keeps well it can come out
    # a hair ahead (0.99225 against 0.99209 seen): smoothing must win on the whole and lose nowhere by more.
    assert_agrees(packaged, smoothed, at_least=0.97)
    better = agreement(packaged, smoothed)
    worse = agreement(packaged, unsmoothed)
    assert sum(better) > sum(worse), (better, worse)
    assert all(b >= w - 0.001 for b, w in zip(better, worse, strict=True)), (better, worse)
