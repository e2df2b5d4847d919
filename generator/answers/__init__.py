"""Answer types and the parsers they read answers with.

``types`` holds the answer types, each owning how an answer is parsed and compared;
``arithmetic`` and ``expressions`` are the whitelisting parsers they use, ``equivalence``
compares expressions and ``guard`` runs that comparison in a process with a time bound.
The types are imported here too, as families written elsewhere import them::

    from generator.answers import Integer, Real, Shape
"""

from generator.answers.types import (
    ANSWER_TYPES,
    BLANK,
    CORRECT,
    AnswerType,
    Expression,
    Integer,
    Invalid,
    Matrix,
    MultiSelect,
    Real,
    Score,
    Shape,
    SpatialSize,
    TrueFalse,
    answer_type_from_json,
)

__all__ = [
    "ANSWER_TYPES",
    "BLANK",
    "CORRECT",
    "AnswerType",
    "Expression",
    "Integer",
    "Invalid",
    "Matrix",
    "MultiSelect",
    "Real",
    "Score",
    "Shape",
    "SpatialSize",
    "TrueFalse",
    "answer_type_from_json",
]
