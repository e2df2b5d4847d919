"""Layer specs as people write them: ``conv(k=5,n=10,p=2)``, the course's ``CONV5-10``,
``POOL2``, ``FC-10``, and ``maxpool``/``avgpool``/``fc``/``bn``/``relu``/``flatten``."""

from __future__ import annotations

import re

from generator.formatting import with_article
from solvers.network import FC, BatchNorm, Conv, Flatten, Layer, Pool, ReLU


class LayerSpecError(ValueError):
    pass


_SHORT_CONV = re.compile(r"CONV(\d{1,3})-(\d{1,6})", re.IGNORECASE)
_SHORT_POOL = re.compile(r"POOL(\d{1,3})", re.IGNORECASE)
_SHORT_FC = re.compile(r"FC-(\d{1,7})", re.IGNORECASE)
_CALL = re.compile(r"([a-z]+)\s*(?:\((.*)\))?", re.IGNORECASE | re.DOTALL)
_ARG = re.compile(r"\s*([a-z_]+)\s*=\s*([^,]+?)\s*")

_ARGS = {
    "conv": {"k", "n", "s", "p", "d", "g", "bias"},
    "maxpool": {"k", "s", "p"},
    "avgpool": {"k", "s", "p"},
    "fc": {"n", "bias"},
    "bn": set(),
    "relu": set(),
    "flatten": set(),
}
_REQUIRED = {"conv": {"k", "n"}, "maxpool": {"k"}, "avgpool": {"k"}, "fc": {"n"}}
_LIMIT = 10**6  # no real layer has a kernel, stride or width beyond this


def _int(spec: str, name: str, text: str, minimum: int) -> int:
    if not re.fullmatch(r"\d{1,7}", text) or int(text) < minimum or int(text) > _LIMIT:
        raise LayerSpecError(f"'{spec}': {name} must be a whole number >= {minimum}, got '{text}'")
    return int(text)


def _bool(spec: str, name: str, text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise LayerSpecError(f"'{spec}': {name} must be true or false, got '{text}'")


def parse_layer(spec: object, need_filters: bool = True) -> Layer:
    """The layer a spec string describes, or LayerSpecError naming what is wrong. Without
    ``need_filters`` a conv layer may leave out its filter count n, which a receptive field
    does not depend on (it then reads as one filter)."""
    if not isinstance(spec, str):
        raise LayerSpecError(f"a layer spec must be a string, got {spec!r}")
    text = spec.strip()
    if len(text) > 200:
        raise LayerSpecError(f"layer spec '{text[:20]}...' is too long")
    if match := _SHORT_CONV.fullmatch(text):
        return Conv(k=_int(text, "k", match[1], 1), n=_int(text, "n", match[2], 1), p="same")
    if match := _SHORT_POOL.fullmatch(text):
        k = _int(text, "k", match[1], 1)
        return Pool(k=k, s=k)
    if match := _SHORT_FC.fullmatch(text):
        return FC(n=_int(text, "n", match[1], 1))
    match = _CALL.fullmatch(text)
    if not match or match[1].lower() not in _ARGS:
        known = "conv(...), maxpool(...), avgpool(...), fc(...), bn, relu, flatten, CONVk-N, "
        known += "POOLk, FC-N"
        raise LayerSpecError(f"unknown layer '{text}' (known: {known})")
    name = match[1].lower()
    args: dict[str, str] = {}
    if match[2] is not None and match[2].strip():
        for item in match[2].split(","):
            arg = _ARG.fullmatch(item)
            if not arg:
                raise LayerSpecError(f"'{text}': '{item.strip()}' is not name=value")
            key = arg[1].lower()
            if key not in _ARGS[name]:
                allowed = ", ".join(sorted(_ARGS[name])) or "none"
                raise LayerSpecError(
                    f"'{text}': {name} has no argument '{key}' (allowed: {allowed})"
                )
            if key in args:
                raise LayerSpecError(f"'{text}': '{key}' is given twice")
            args[key] = arg[2]
    missing = _REQUIRED.get(name, set()) - set(args)
    if not need_filters and name == "conv":
        missing.discard("n")
    if missing:
        raise LayerSpecError(f"'{text}': {name} needs {', '.join(sorted(missing))}")
    if name == "conv":
        padding: int | str = (
            "same"
            if args.get("p", "0").lower() == "same"
            else _int(text, "p", args.get("p", "0"), 0)
        )
        return Conv(
            k=_int(text, "k", args["k"], 1),
            n=_int(text, "n", args.get("n", "1"), 1),
            s=_int(text, "s", args.get("s", "1"), 1),
            p=padding,
            d=_int(text, "d", args.get("d", "1"), 1),
            g=_int(text, "g", args.get("g", "1"), 1),
            bias=_bool(text, "bias", args.get("bias", "true")),
        )
    if name in ("maxpool", "avgpool"):
        k = _int(text, "k", args["k"], 1)
        return Pool(
            k=k,
            s=_int(text, "s", args.get("s", str(k)), 1),
            p=_int(text, "p", args.get("p", "0"), 0),
            mode="max" if name == "maxpool" else "avg",
        )
    if name == "fc":
        return FC(
            n=_int(text, "n", args["n"], 1), bias=_bool(text, "bias", args.get("bias", "true"))
        )
    return {"bn": BatchNorm(), "relu": ReLU(), "flatten": Flatten()}[name]


def describe(layer: Layer, filters: bool = True) -> str:
    """A sentence fragment naming what the layer does, for questions and solutions; without
    ``filters`` a conv layer is described by its window alone (``shorthand``)."""
    if isinstance(layer, Conv):
        padding = "'same' padding" if layer.p == "same" else f"padding {layer.p}"
        extras = "".join(
            [
                f", dilation {layer.d}" if layer.d != 1 else "",
                f", {layer.g} groups" if layer.g != 1 else "",
                ", no bias" if not layer.bias else "",
            ]
        )
        window = f"{layer.k}x{layer.k}"
        what = (
            (f"1 filter of {window}" if layer.n == 1 else f"{layer.n} filters of {window}")
            if filters
            else f"{with_article(window)} convolution"
        )
        return f"{what}, stride {layer.s}, {padding}{extras}"
    if isinstance(layer, Pool):
        padding = f", padding {layer.p}" if layer.p else ""
        return f"{layer.k}x{layer.k} {layer.mode} pooling, stride {layer.s}{padding}"
    if isinstance(layer, FC):
        return f"fully connected, {layer.n} outputs" + ("" if layer.bias else ", no bias")
    return {BatchNorm: "batch norm", ReLU: "ReLU", Flatten: "flatten"}[type(layer)]


def shorthand(layer: Layer, filters: bool = True) -> str:
    """The course's notation where it exists (CONV5-10, POOL2, FC-10), else the call form;
    without ``filters`` a conv layer's call form leaves its filter count out (a receptive
    field's question, where n is the field's size)."""
    if isinstance(layer, Conv):
        if layer.p == "same" and layer.s == 1 and layer.d == 1 and layer.g == 1 and layer.bias:
            return f"CONV{layer.k}-{layer.n}"
        args = [f"k={layer.k}"] + ([f"n={layer.n}"] if filters else [])
        args += [f"s={layer.s}"] if layer.s != 1 else []
        args += [f"p={layer.p}"] if layer.p != 0 else []
        args += [f"d={layer.d}"] if layer.d != 1 else []
        args += [f"g={layer.g}"] if layer.g != 1 else []
        args += ["bias=false"] if not layer.bias else []
        return f"conv({','.join(args)})"
    if isinstance(layer, Pool):
        if layer.mode == "max" and layer.s == layer.k and layer.p == 0:
            return f"POOL{layer.k}"
        args = [f"k={layer.k}"] + ([f"s={layer.s}"] if layer.s != layer.k else [])
        args += [f"p={layer.p}"] if layer.p else []
        return f"{layer.mode}pool({','.join(args)})"
    if isinstance(layer, FC):
        return f"FC-{layer.n}" if layer.bias else f"fc(n={layer.n},bias=false)"
    return {BatchNorm: "bn", ReLU: "relu", Flatten: "flatten"}[type(layer)]
