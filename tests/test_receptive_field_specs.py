"""A receptive field does not depend on a conv layer's filter count: a TA may leave n out
of a receptive-field question's layers, where the network table still needs it."""

import json


def test_solve_receptive_field_reads_conv_layers_without_a_filter_count(run):
    without = run(
        "solve", "receptive_field", "-g", "layers=conv(k=3), conv(k=3,s=2), maxpool(k=2)", "--json"
    )
    with_n = run(
        "solve",
        "receptive_field",
        "-g",
        "layers=conv(k=3,n=8), conv(k=3,n=8,s=2), maxpool(k=2)",
        "--json",
    )
    assert without.exit_code == 0, without.output
    answers, counted = json.loads(without.output), json.loads(with_n.output)
    for name in ("receptive_field", "effective_stride"):
        assert answers[name] == counted[name]
        assert [row[name] for row in answers["rows"]] == [row[name] for row in counted["rows"]]
    assert [row["receptive_field"] for row in answers["rows"]] == [3, 5, 7]


def test_the_network_table_still_needs_a_conv_layers_filter_count(run):
    result = run("solve", "network_table", "-g", "input=8x8x1", "-g", "layers=conv(k=3)")
    assert result.exit_code == 2
    assert "conv needs n" in result.output


def test_a_drawn_receptive_field_question_uses_n_only_for_the_fields_size():
    import numpy as np

    from generator import registry

    family = registry.get("receptive_field")
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(30):
            params = family.read_givens(family.sample(np.random.default_rng(seed), difficulty))
            assert not any("n=" in spec for spec in params["layers"]), params
            steps = " ".join(family.solve(params).steps)
            assert "n=" not in steps and "n = " in steps
