"""Each layer's small operations fused into onnxruntime's kernels: the patterns on small node lists as the
packaged graph spells them, then the real model, fused, against the packaged one."""

import pytest

from tests.unit.semantic.agreement import assert_agrees, session_pair
from voicejournal.semantic.fused_graph import fuse
from voicejournal.semantic.int8_graph import MS_DOMAIN, Node, rewrite


def exported_attention() -> list[Node]:
    """One layer's attention as torch exported it (shapes and constants left out)."""
    return [
        Node("MatMul", ["x", "wq"], ["q0"]),
        Node("Add", ["q0", "bq"], ["q"]),
        Node("MatMul", ["x", "wk"], ["k0"]),
        Node("Add", ["k0", "bk"], ["k"]),
        Node("MatMul", ["x", "wv"], ["v0"]),
        Node("Add", ["v0", "bv"], ["v"]),
        Node("Reshape", ["q", "heads"], ["q1"]),
        Node("Transpose", ["q1"], ["q2"]),
        Node("Mul", ["q2", "scale"], ["q3"]),
        Node("Reshape", ["k", "heads"], ["k1"]),
        Node("Transpose", ["k1"], ["k2"]),
        Node("Shape", ["k2"], ["k_shape"]),
        Node("Reshape", ["k2", "k_shape"], ["k3"]),
        Node("Transpose", ["k3"], ["k4"]),
        Node("Mul", ["k4", "scale"], ["k5"]),
        Node("Reshape", ["v", "heads"], ["v1"]),
        Node("Transpose", ["v1"], ["v2"]),
        Node("Cast", ["attention_mask"], ["m"]),
        Node("Where", ["m", "zero", "minus"], ["mask"]),
        Node("MatMul", ["q3", "k5"], ["s0"]),
        Node("Add", ["s0", "mask"], ["s"]),
        Node("Softmax", ["s"], ["p"]),
        Node("MatMul", ["p", "v2"], ["a0"]),
        Node("Transpose", ["a0"], ["a1"]),
        Node("Reshape", ["a1", "flat"], ["a"]),
        Node("MatMul", ["a", "wo"], ["y"]),
    ]


def test_the_exported_attention_becomes_one_multi_head_attention():
    out, made = fuse(exported_attention(), {"wq", "wk", "wv", "wo", "bq", "bk", "bv"}, ["y"])
    assert [(n.op, n.inputs, n.outputs) for n in out] == [
        ("MatMul", ["x", "wq"], ["q0"]),
        ("Add", ["q0", "bq"], ["q"]),
        ("MatMul", ["x", "wk"], ["k0"]),
        ("Add", ["k0", "bk"], ["k"]),
        ("MatMul", ["x", "wv"], ["v0"]),
        ("Add", ["v0", "bv"], ["v"]),
        ("MultiHeadAttention", ["q", "k", "v"], ["a"]),
        ("MatMul", ["a", "wo"], ["y"]),
    ]  # the reshapes, transposes, scalings and the mask are read by nothing any more: dropped
    attention = out[6]
    assert attention.domain == MS_DOMAIN
    assert made == {"MultiHeadAttention": 1, "Gelu": 0, "bias": 0}


def test_an_attention_whose_softmax_is_read_twice_is_left_as_it_is():
    nodes = exported_attention() + [Node("ReduceMax", ["p"], ["peak"])]
    out, made = fuse(nodes, set(), ["y", "peak"])
    assert "MultiHeadAttention" not in [n.op for n in out] and made["MultiHeadAttention"] == 0


def test_the_erf_gelu_becomes_one_gelu_and_product_biases_move_into_the_product():
    nodes = [
        Node("DynamicQuantizeMatMul", ["x", "w1", "s1"], ["h0"], domain=MS_DOMAIN),
        Node("Add", ["h0", "b1"], ["h"]),
        Node("Div", ["h", "sqrt2"], ["d"]),
        Node("Erf", ["d"], ["e"]),
        Node("Add", ["e", "one"], ["e1"]),
        Node("Mul", ["half", "e1"], ["e2"]),
        Node("Mul", ["h", "e2"], ["g"]),
        Node("DynamicQuantizeMatMul", ["g", "w2", "s2"], ["y0"], domain=MS_DOMAIN),
        Node("Add", ["y0", "residual"], ["y"]),  # not an initializer: an Add of its own
    ]
    out, made = fuse(nodes, {"w1", "s1", "b1", "w2", "s2", "sqrt2", "one", "half"}, ["y"])
    assert [(n.op, n.inputs, n.outputs) for n in out] == [
        ("DynamicQuantizeMatMul", ["x", "w1", "s1", "", "b1"], ["h"]),
        ("Gelu", ["h"], ["g"]),
        ("DynamicQuantizeMatMul", ["g", "w2", "s2"], ["y0"]),
        ("Add", ["y0", "residual"], ["y"]),
    ]
    assert made == {"MultiHeadAttention": 0, "Gelu": 1, "bias": 1}


def test_a_product_read_by_more_than_its_bias_keeps_its_add():
    nodes = [
        Node("DynamicQuantizeMatMul", ["x", "w", "s"], ["h0"], domain=MS_DOMAIN),
        Node("Add", ["h0", "b"], ["h"]),
        Node("Relu", ["h0"], ["r"]),
    ]
    out, made = fuse(nodes, {"w", "s", "b"}, ["h", "r"])
    assert [n.op for n in out] == ["DynamicQuantizeMatMul", "Add", "Relu"] and made["bias"] == 0


@pytest.fixture(scope="module")
def sessions():
    from voicejournal.semantic.embedder import model_file

    data = model_file().read_bytes()
    fused, made = rewrite(data, then=fuse)
    # all 36 products in 8 bits, both tables, each layer's NaN guard, attention and Gelu, and the bias of
    # every 8-bit product
    assert made == {
        "DynamicQuantizeMatMul": 36,
        "Gather": 2,
        "IsNaN": 6,
        "MultiHeadAttention": 6,
        "Gelu": 6,
        "bias": 36,
    }
    return session_pair(data, fused)


def test_the_fused_model_agrees_with_the_packaged_one(sessions):
    # 8-bit products: measured 0.969 for "ok", median 0.99
    assert_agrees(*sessions, at_least=0.96)


def test_the_fused_graph_has_none_of_the_exported_steps_left():
    from voicejournal.semantic.embedder import model_file
    from voicejournal.semantic.int8_graph import GRAPH_NODE, MODEL_GRAPH, fields

    fused, _ = rewrite(model_file().read_bytes(), then=fuse)
    graph = next(v for number, _, v in fields(fused) if number == MODEL_GRAPH)
    ops = [Node.decode(v).op for number, _, v in fields(graph) if number == GRAPH_NODE]
    assert {"Softmax", "Erf", "Transpose", "Where", "GatherND"}.isdisjoint(ops)
    assert ops.count("MultiHeadAttention") == 6 and ops.count("Gelu") == 6
