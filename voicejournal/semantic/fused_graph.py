"""The rewritten graph (`int8_graph`) with each layer's small operations fused into onnxruntime's kernels.

The packaged graph spells attention out as torch exported it (per layer 3 reshapes, 5 transposes, two
scalings, a mask built from the attention mask and added, the softmax, two float products), the Gelu as
five element-wise operations, and every product's bias as an Add of its own. On 2 cores these "small"
operations were about a third of the time of a 300-600-word transcript (benchmarks/embed_profile.py), and
onnxruntime's own fusions do not recognise the exported attention (and its SkipLayerNormalization, which
they do make, was slower than the Add and LayerNormalization it replaces). The rewrite, on the node list:

- the attention of each layer, from its query, key and value projections to the output reshape, becomes
  com.microsoft `MultiHeadAttention` (12 heads, the same scale 1/sqrt(32)). It is given no mask: every
  text is run alone and unpadded (`Embedder._each`), so every token is a real one, and without a mask
  onnxruntime takes its faster (flash) attention: 3.8 instead of 4.8 ms of a 150-word passage;
- `x * 0.5 * (1 + erf(x / sqrt 2))` becomes com.microsoft `Gelu` (the same exact erf form);
- `Add(DynamicQuantizeMatMul(x, W, s), b)` passes `b` as the product's bias input;

then the nodes nothing reads any more are dropped (the attention mask's among them). The computation is
the same for an unpadded text; only float rounding differs.
"""

from __future__ import annotations

from voicejournal.semantic.int8_graph import MS_DOMAIN, Node, int_attribute, readers_of

HEADS = 12  # all-MiniLM-L6-v2: 384 numbers per token in 12 heads of 32
SHAPE_OPS = ("Reshape", "Transpose", "Mul")  # what lies between a projection and the attention's products


def fuse(nodes: list[Node], constants: set[str], outputs: list[str]) -> tuple[list[Node], dict[str, int]]:
    """The nodes with the fusions of the module's docstring (`constants`: the initializers' names,
    `outputs`: the graph's), and how many of each were made."""
    made = {"MultiHeadAttention": 0, "Gelu": 0, "bias": 0}
    nodes = _attention(nodes, made)
    nodes = _gelu(nodes, made)
    nodes = _bias(nodes, constants, made)
    return _live(nodes, outputs), made


def _producers(nodes: list[Node]) -> dict[str, Node]:
    return {o: n for n in nodes for o in n.outputs}


def _projection(name: str, producer: dict[str, Node]) -> str | None:
    """The tensor above `name` past reshapes, transposes and scalings: a projection's output."""
    for _ in range(8):
        node = producer.get(name)
        if node is None or node.op not in SHAPE_OPS:
            return name
        name = node.inputs[0]
    return None


def _only(readers: dict[str, list[Node]], name: str, op: str) -> Node | None:
    found = readers.get(name, [])
    return found[0] if len(found) == 1 and found[0].op == op else None


def _attention(nodes: list[Node], made: dict[str, int]) -> list[Node]:
    """Each Softmax(MatMul(q, k) + mask) -> MatMul(., v) -> Transpose -> Reshape as one MultiHeadAttention."""
    producer, readers = _producers(nodes), readers_of(nodes)
    replaced: dict[int, Node] = {}
    for softmax in (n for n in nodes if n.op == "Softmax"):
        scores = producer.get(softmax.inputs[0])
        if scores is not None and scores.op == "Add":  # the additive mask
            scores = producer.get(scores.inputs[0])
        mixed = _only(readers, softmax.outputs[0], "MatMul")
        back = mixed and _only(readers, mixed.outputs[0], "Transpose")
        out = back and _only(readers, back.outputs[0], "Reshape")
        if scores is None or scores.op != "MatMul" or out is None:
            continue
        q, k, v = (_projection(name, producer) for name in (*scores.inputs, mixed.inputs[1]))
        if None in (q, k, v) or len({q, k, v}) != 3:
            continue
        replaced[id(out)] = Node(
            "MultiHeadAttention",
            [q, k, v],
            out.outputs,
            out.name + "/attention",
            MS_DOMAIN,
            [int_attribute("num_heads", HEADS)],
        )
        made["MultiHeadAttention"] += 1
    return [replaced.get(id(n), n) for n in nodes]


def _gelu(nodes: list[Node], made: dict[str, int]) -> list[Node]:
    """Mul(x, Mul(0.5, Add(Erf(Div(x, sqrt 2)), 1))) as Gelu(x)."""
    producer = _producers(nodes)
    replaced: dict[int, Node] = {}
    for erf in (n for n in nodes if n.op == "Erf"):
        div = producer.get(erf.inputs[0])
        x = div.inputs[0] if div is not None and div.op == "Div" else None
        outer = next(
            (n for n in nodes if n.op == "Mul" and x in n.inputs and _reaches(n, erf, producer, 3)), None
        )
        if outer is None:
            continue
        replaced[id(outer)] = Node("Gelu", [x], outer.outputs, outer.name + "/gelu", MS_DOMAIN)
        made["Gelu"] += 1
    return [replaced.get(id(n), n) for n in nodes]


def _reaches(node: Node, target: Node, producer: dict[str, Node], depth: int) -> bool:
    """Whether `target` is among `node`'s inputs' producers within `depth` steps."""
    if depth == 0:
        return False
    for i in node.inputs:
        above = producer.get(i)
        if above is target or (above is not None and _reaches(above, target, producer, depth - 1)):
            return True
    return False


def _bias(nodes: list[Node], constants: set[str], made: dict[str, int]) -> list[Node]:
    """Add(DynamicQuantizeMatMul(x, W, s), b), b an initializer, as DynamicQuantizeMatMul(x, W, s, , b)."""
    readers = readers_of(nodes)
    dropped: set[int] = set()
    for n in nodes:
        if n.op != "DynamicQuantizeMatMul" or len(n.inputs) > 3:
            continue
        add = _only(readers, n.outputs[0], "Add")
        if add is None or add.inputs[0] != n.outputs[0] or add.inputs[1] not in constants:
            continue
        n.inputs = [*n.inputs, "", add.inputs[1]]
        n.outputs = add.outputs
        dropped.add(id(add))
        made["bias"] += 1
    return [n for n in nodes if id(n) not in dropped]


def _live(nodes: list[Node], outputs: list[str]) -> list[Node]:
    """The nodes the graph's outputs depend on, in their order."""
    producer = _producers(nodes)
    needed, todo = set(), list(outputs)
    while todo:
        node = producer.get(todo.pop())
        if node is not None and id(node) not in needed:
            needed.add(id(node))
            todo += node.inputs
    return [n for n in nodes if id(n) in needed]
