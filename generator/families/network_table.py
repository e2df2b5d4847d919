"""The midterm's table: activation volume and parameter count of each layer of a network."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Integer, Shape, fc_volume_shape
from generator.families.common.layerspec import LayerSpecError, parse_layer, shorthand
from generator.families.common.notation import (
    from_layout,
    read_fc_outputs,
    read_layout,
    to_layout,
)
from generator.families.common.worked import pair_steps, product_text
from generator.family import Family, Given, Mistake, Part, Solution, choice, split_top_level, volume
from generator.formatting import shape_text
from generator.registry import register
from solvers.network import FC, BatchNorm, Conv, Flatten, LayerError, Pool, ReLU, TableRow, table


def read_layers(value: Any, need_filters: bool = True) -> list[str]:
    """A JSON list of layer specs, or one string of specs separated by commas (``parse_layer``
    says what ``need_filters`` allows)."""
    items = split_top_level(value) if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ValueError('expected a non-empty list of layer specs such as ["CONV5-10", "POOL2"]')
    if len(items) > 100:
        raise ValueError("more than 100 layers")
    for position, item in enumerate(items, start=1):
        try:
            parse_layer(item, need_filters)
        except LayerSpecError as error:
            raise ValueError(f"layer {position}: {error}") from None
    return [item.strip() for item in items]


@register
class NetworkTable(Family):
    name = "network_table"
    title = "Activation volumes and parameters of a ConvNet"
    summary = "The midterm's table: activation volume (HxWxC) and parameters of every layer"
    topic = "convolution"
    choice_part = "total_params"
    givens = {
        "input": Given(
            volume, "input volume in the notation, 32x32x1 in HxWxC, or a vector size D"
        ),
        "layers": Given(read_layers, 'layer specs such as ["CONV5-10", "POOL2", "FC-10"]'),
        "rounding": Given(choice("exact", "floor", "ceil"), "exact, floor or ceil", "exact"),
        "notation": Given(read_layout, "volumes written HxWxC (default) or CxHxW", "HxWxC"),
        "fc_outputs": Given(
            read_fc_outputs, "an FC layer's N outputs written N, 1x1xN or either", "either"
        ),
    }

    # A level fixes the table's rows (every student fills in as many, of the same kinds):
    # easy, two conv-pool blocks and FC-10; medium adds a batch norm or ReLU after one conv
    # and a hidden FC layer; hard has three convs, one of stride 2, and a flatten layer.
    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        sides = {"easy": [16, 28, 32], "medium": [16, 28, 32, 64], "hard": [16, 32, 64]}
        side = int(rng.choice(sides[difficulty]))
        channels = int(rng.choice([1, 3]))
        widths = [4, 6, 8, 10, 16] if difficulty == "easy" else [8, 10, 16, 32, 64]

        def conv() -> Conv:
            return Conv(k=int(rng.choice([3, 5])), n=int(rng.choice(widths)), p="same")

        def pool() -> Pool:
            return Pool(k=2, s=2, mode="max" if rng.random() < 0.8 else "avg")

        def extra() -> Any:
            return BatchNorm() if rng.random() < 0.5 else ReLU()

        layers: list[Any] = [conv(), pool(), conv(), pool()]
        if difficulty != "easy":
            layers.insert(1 if rng.random() < 0.5 else 3, extra())
        if difficulty == "hard":
            # a stride-2 conv halves an even size exactly: k=4, p=1
            strided = Conv(k=4, n=int(rng.choice(widths)), s=2, p=1)
            layers.insert(len(layers) - 1 if rng.random() < 0.5 else 2, strided)
            layers.append(Flatten())
        if difficulty != "easy":
            layers.append(FC(n=int(rng.choice([64, 100, 128]))))
        layers.append(FC(n=10))
        return {
            "input": f"{side}x{side}x{channels}",
            "layers": [shorthand(layer) for layer in layers],
        }

    def draw(self, rng: np.random.Generator, difficulty: str, fixed: dict[str, Any]) -> dict:
        raw = self.sample(rng, difficulty)
        layout = read_layout(fixed.get("notation", "HxWxC"))
        hwc = tuple(int(d) for d in raw["input"].split("x"))
        return {**raw, "input": shape_text(to_layout(hwc, layout))}  # in the exam's notation

    @staticmethod
    def _input(params: dict[str, Any]) -> tuple[int, ...]:
        """The input volume as HxWxC, however the exam writes it."""
        shape = tuple(int(d) for d in params["input"].split("x"))
        return from_layout(shape, params["notation"])

    @staticmethod
    def _written(shape: tuple[int, ...], params: dict[str, Any]) -> str:
        """An HxWxC volume, or an FC layer's outputs, as the exam writes it."""
        if len(shape) == 1 and params["fc_outputs"] == "1x1xN":
            return shape_text(fc_volume_shape(shape[0], params["notation"]))
        return shape_text(to_layout(shape, params["notation"]))

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        kinds = {type(parse_layer(spec)).__name__ for spec in params["layers"]}
        pools = [parse_layer(spec) for spec in params["layers"]]
        average = any(isinstance(layer, Pool) and layer.mode == "avg" for layer in pools)
        extra = "batch norm" if "BatchNorm" in kinds else "relu" if "ReLU" in kinds else "none"
        channels = self._input(params)[-1] if len(self._input(params)) == 3 else 1
        return {
            "extra layer": extra,
            "average pooling": "yes" if average else "no",
            "input channels": "1" if channels == 1 else "more",
        }

    def solve(self, params: dict[str, Any]) -> Solution:
        shape = self._input(params)
        layers = [parse_layer(spec) for spec in params["layers"]]
        try:
            rows = table(shape, layers, params["rounding"])
        except LayerError as error:
            spec = params["layers"][error.index - 1]
            raise self.error(f"layer {error.index} '{spec}': {error.message}", "layers") from None
        steps = [f"Input: {params['input']}, 0 parameters"]
        previous = shape
        answer_rows = []
        for spec, layer, row in zip(params["layers"], layers, rows, strict=True):
            steps.append(self._step(spec, layer, previous, row, params))
            answer_rows.append(
                {"layer": spec, "shape": self._written(row.shape, params), "params": row.params}
            )
            previous = row.shape
        total = sum(row.params for row in rows)
        counts = " + ".join(str(row.params) for row in rows if row.params)
        steps.append(f"Total parameters: {counts or 0} = {total}")
        return Solution({"rows": answer_rows, "total_params": total}, steps)

    def _step(
        self,
        spec: str,
        layer: Any,
        previous: tuple[int, ...],
        row: TableRow,
        params: dict[str, Any],
    ) -> str:
        shape = self._written(row.shape, params)
        if isinstance(layer, Conv):
            sizes = "; ".join(pair_steps(*row.sizes))
            c_in = previous[2]
            count = product_text(layer.n, c_in // layer.g, layer.k, layer.k)
            bias = f" + {layer.n}" if layer.bias else ""
            return (
                f"{spec}: {sizes}; {layer.n} filters give {shape}. "
                f"Parameters: {count}{bias} = {row.params}"
            )
        if isinstance(layer, Pool):
            sizes = "; ".join(pair_steps(*row.sizes))
            return f"{spec}: {sizes}; depth is kept, {shape}. Pooling has no parameters: 0"
        if isinstance(layer, FC):
            flattened = (
                f"flattens {self._written(previous, params)} to {row.weights // layer.n} inputs; "
                if row.flattened_from
                else ""
            )
            bias = f" + {layer.n}" if layer.bias else ""
            inputs = (
                product_text(*to_layout(previous, params["notation"]))
                if row.flattened_from
                else str(previous[0])
            )
            return (
                f"{spec}: {flattened}{layer.n} outputs. "
                f"Parameters: {inputs}x{layer.n}{bias} = {row.params}"
            )
        if isinstance(layer, BatchNorm):
            return (
                f"{spec}: shape kept, {shape}. A scale γ and a shift β per channel: "
                f"2x{previous[-1]} = {row.params}"
            )
        if isinstance(layer, Flatten):
            flat = product_text(*to_layout(previous, params["notation"]))
            return f"{spec}: {flat} = {shape} values, no parameters: 0"
        return f"{spec}: applied elementwise, shape kept, {shape}; no parameters: 0"

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        shape = self._input(params)
        layers = [parse_layer(spec) for spec in params["layers"]]
        rows = table(shape, layers, params["rounding"])
        total = solution.answers["total_params"]
        biases = sum(row.biases for row in rows)
        found = [Mistake(total - biases, "forgetting the biases")] if biases else []
        depth_blind = 0
        for row, layer in zip(rows, layers, strict=True):
            if isinstance(layer, Conv):
                depth_blind += layer.n * layer.k * layer.k + row.biases
            else:
                depth_blind += row.params
        found.append(Mistake(depth_blind, "forgetting the input depth of each filter"))
        last_conv = max(
            (i for i, layer in enumerate(layers) if isinstance(layer, Conv)), default=None
        )
        if last_conv is not None:
            found.append(
                Mistake(
                    rows[last_conv].params, "giving one layer's parameters instead of the total"
                )
            )
        pooled = sum(
            2 * row.shape[-1]
            for row, layer in zip(rows, layers, strict=True)
            if isinstance(layer, Pool)
        )
        if pooled:
            found.append(Mistake(total + pooled, "giving pooling layers parameters"))
        mistakes = {"total_params": found}
        # each conv and FC row's own count, as conv_params diagnoses it
        for index, (row, layer) in enumerate(zip(rows, layers, strict=True), start=1):
            own = []
            if isinstance(layer, (Conv, FC)) and row.biases:
                own.append(Mistake(row.params - row.biases, "forgetting the biases"))
            if isinstance(layer, Conv) and row.params != layer.n * layer.k * layer.k + row.biases:
                depth = layer.n * layer.k * layer.k + row.biases
                own.append(Mistake(depth, "forgetting the input depth of each filter"))
            if own:
                mistakes[f"row{index}.params"] = own
        return mistakes

    def answered_in_question(self, part_id: str) -> bool:
        return part_id.startswith("row")  # rowN.shape and rowN.params: the table's cells

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        parts = []
        # recorded only where they differ from the course's HxWxC and N-or-1x1xN
        notation = {
            name: params[name]
            for name, default in (("notation", "HxWxC"), ("fc_outputs", "either"))
            if params[name] != default
        }
        volume_type = Shape(fc_volume=params["fc_outputs"] == "either", layout=params["notation"])
        for index, row in enumerate(solution.answers["rows"], start=1):
            label = f"{row['layer']} (layer {index})"
            follows = None
            if index > 1:  # rows after the first follow from the student's previous volume
                follows = {
                    "from": f"row{index - 1}.shape",
                    "layer": row["layer"],
                    "index": index,
                    "rounding": params["rounding"],
                    "input": params["input"],
                    **notation,
                }
            for kind, text, answer in (
                ("shape", "activation volume", volume_type),
                ("params", "parameters", Integer()),
            ):
                parts.append(
                    Part(
                        f"row{index}.{kind}",
                        f"{label}: {text}",
                        answer,
                        row[kind],
                        {**follows, "gives": kind} if follows else None,
                    )
                )
        rows = [f"row{i}.params" for i in range(1, len(solution.answers["rows"]) + 1)]
        parts.append(
            Part(
                "total_params",
                "the total number of parameters",
                Integer(),
                solution.answers["total_params"],
                {"sum_of": rows},
            )
        )
        return parts
