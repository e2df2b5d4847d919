"""Canvas QTI 1.2: a zip of ``imsmanifest.xml`` and one assessment, importable as a classic
quiz (Settings > Import Course Content > QTI .zip file).

Each exam question becomes a question group that picks one item, with one item per distinct
variant, so each student sees one variant. Items use Canvas's question types:

- one number: ``numerical_question``, correct within examgen's tolerance (a range);
- true/false: ``true_false_question`` (Canvas quizzes give no negative points, so the
  midterm's −1 for a wrong answer is not carried over);
- select every correct option: ``multiple_answers_question``;
- a shape or size, or an expression: ``short_answer_question`` listing the spellings
  examgen accepts that a text match can list;
- several parts, or a matrix: ``fill_in_multiple_blanks_question``, one blank per part
  (per entry for a matrix). Canvas matches blanks as text, so a number blank lists the
  roundings examgen's tolerance accepts (``number_spellings``).

Where Canvas cannot grade as examgen does, the item's title says so (docs/exports.md).
"""

from __future__ import annotations

import hashlib
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction
from typing import Any

from generator.answers.types import answer_type_from_json
from generator.exports.moodle import key_spellings, number, spelling_notes, tolerance_bound
from generator.formatting import short_number, typeset_minus
from generator.render.markup import to_inline_lms_html, to_lms_html
from generator.render.pages import render_question

QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
# Fixed for reproducible zips: the same key gives the same bytes.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def ident(*parts: str) -> str:
    """A stable identifier: QTI idents must be unique and start with a letter."""
    return "g" + hashlib.sha256("/".join(parts).encode()).hexdigest()[:24]


def qti_zip(manifest: dict[str, Any]) -> bytes:
    quiz_id = ident(manifest["exam_id"])
    files = {
        "imsmanifest.xml": _manifest_xml(manifest, quiz_id),
        f"{quiz_id}/{quiz_id}.xml": assessment_xml(manifest, quiz_id),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return buffer.getvalue()


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _manifest_xml(manifest: dict[str, Any], quiz_id: str) -> str:
    root = ET.Element(
        "manifest", {"identifier": ident("manifest", manifest["exam_id"]), "xmlns": CP}
    )
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Content"
    ET.SubElement(metadata, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    resource = ET.SubElement(
        resources,
        "resource",
        {"identifier": quiz_id, "type": "imsqti_xmlv1p2", "href": f"{quiz_id}/{quiz_id}.xml"},
    )
    ET.SubElement(resource, "file", {"href": f"{quiz_id}/{quiz_id}.xml"})
    return _xml(root)


def _metadata(parent: ET.Element, fields: dict[str, str]) -> None:
    block = ET.SubElement(parent, "qtimetadata")
    for label, entry in fields.items():
        field = ET.SubElement(block, "qtimetadatafield")
        ET.SubElement(field, "fieldlabel").text = label
        ET.SubElement(field, "fieldentry").text = entry


def assessment_xml(manifest: dict[str, Any], quiz_id: str) -> str:
    root = ET.Element("questestinterop", {"xmlns": QTI})
    assessment = ET.SubElement(root, "assessment", {"ident": quiz_id, "title": manifest["title"]})
    _metadata(assessment, {"cc_maxattempts": "1"})
    root_section = ET.SubElement(assessment, "section", {"ident": "root_section"})
    for info in manifest["questions"]:
        group = ET.SubElement(
            root_section,
            "section",
            {
                "ident": ident(manifest["exam_id"], info["id"]),
                "title": f"{info['id']}. {info['title']}",
            },
        )
        selection = ET.SubElement(ET.SubElement(group, "selection_ordering"), "selection")
        ET.SubElement(selection, "selection_number").text = "1"
        extension = ET.SubElement(selection, "selection_extension")
        ET.SubElement(extension, "points_per_item").text = number(info["points"])
        seen: set[str] = set()
        for variant in manifest["variants"]:
            question = next(q for q in variant["questions"] if q["id"] == info["id"])
            item, notes = _item(info, question)
            signature = ET.tostring(item, encoding="unicode")
            if signature in seen:
                continue
            seen.add(signature)
            item.set("ident", ident(manifest["exam_id"], info["id"], str(len(seen))))
            # the title is what a teacher sees in the question bank: where Canvas cannot
            # grade as examgen does, it says so there
            item.set("title", " · ".join([f"{info['id']} · variant {len(seen)}", *notes]))
            group.append(item)
    return _xml(root)


def _item(info: dict[str, Any], question: dict[str, Any]) -> tuple[ET.Element, list[str]]:
    """The Canvas item, and notes on where Canvas grades it unlike examgen."""
    rendered = render_question(info["family"], question)
    notes: list[str] = []
    parts = question["parts"]
    types = [answer_type_from_json(part["type"]) for part in parts]
    text = rendered["question"]
    single = len(parts) == 1 and types[0].kind != "matrix"
    kind = types[0].kind if single else "blanks"
    item = ET.Element("item", {"ident": "", "title": ""})
    if kind in ("integer", "real"):
        qtype, text = "numerical_question", f"{text}\n\n{parts[0]['label']}"
    elif kind == "truefalse":
        qtype = "true_false_question"
    elif kind == "multiselect":
        qtype = "multiple_answers_question"
    elif kind in ("shape", "spatial_size", "expression"):
        qtype, text = "short_answer_question", f"{text}\n\n{parts[0]['label']}"
    else:
        qtype = "fill_in_multiple_blanks_question"
    _metadata(
        ET.SubElement(item, "itemmetadata"),
        {"question_type": qtype, "points_possible": number(info["points"])},
    )
    presentation = ET.SubElement(item, "presentation")
    processing = ET.SubElement(item, "resprocessing")
    outcomes = ET.SubElement(processing, "outcomes")
    ET.SubElement(
        outcomes,
        "decvar",
        {"maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"},
    )
    if qtype == "fill_in_multiple_blanks_question":
        text, equal = _blanks(presentation, processing, text, parts, types)
        if not equal:
            notes.append("Canvas weighs every blank alike, examgen each part alike")
        if any(t.kind in ("integer", "real", "matrix") for t in types):
            notes.append("Canvas matches numbers in blanks as text")
        notes += spelling_notes(types, numbers=False)
    elif qtype == "numerical_question":
        _numerical(presentation, processing, types[0], parts[0]["key"])
        notes += spelling_notes(types)
    elif qtype == "true_false_question":
        if Fraction(types[0].wrong) != 0:
            notes.append("Canvas gives 0, not a penalty, for a wrong answer")
        _choices(
            presentation,
            processing,
            ["True", "False"],
            {"True" if parts[0]["key"] else "False"},
            single=True,
        )
    elif qtype == "multiple_answers_question":
        choice = rendered["choice"]
        letters = "ABCDEFGHIJ"[: types[0].options]
        options = (
            [
                f"({letter}) {typeset_minus(option)}"
                for letter, option in zip(letters, choice["options"], strict=True)
            ]
            if choice
            else list(letters)
        )
        keyed = {options[letters.index(letter)] for letter in parts[0]["key"]}
        _choices(presentation, processing, options, keyed, single=False)
        notes += _multiple_answers_notes(types[0], parts[0])
    else:
        _short_answer(presentation, processing, types[0], parts[0]["key"])
        notes += spelling_notes(types)
    if any("follows" in part for part in parts):
        notes.append("error carried forward is examgen's alone")
    material = ET.Element("material")
    ET.SubElement(material, "mattext", {"texttype": "text/html"}).text = to_lms_html(text)
    presentation.insert(0, material)
    feedback = ET.SubElement(item, "itemfeedback", {"ident": "general_fb"})
    flow = ET.SubElement(ET.SubElement(feedback, "flow_mat"), "material")
    ET.SubElement(flow, "mattext", {"texttype": "text/html"}).text = to_lms_html(
        rendered["solution"]
    )
    return item, notes


def _multiple_answers_notes(answer_type: Any, part: dict[str, Any]) -> list[str]:
    """Canvas scores a multiple-answers item (right ticks − wrong ticks)/k, floor 0, for k
    correct options: examgen's 1 − e per error, floor 0, exactly when e = 1/k."""
    correct = len(set(part["key"]))
    per_error = Fraction(answer_type.per_error)
    if Fraction(answer_type.floor) == 0 and per_error * correct == 1:
        return []
    return [f"partial credit differs from examgen's ({correct} correct options)"]


def _full_marks(processing: ET.Element, condition: ET.Element, score: str = "100") -> None:
    respcondition = ET.SubElement(processing, "respcondition", {"continue": "No"})
    respcondition.append(condition)
    ET.SubElement(respcondition, "setvar", {"action": "Set", "varname": "SCORE"}).text = score


def _numerical(
    presentation: ET.Element, processing: ET.Element, answer_type: Any, key: Any
) -> None:
    response = ET.SubElement(
        presentation, "response_str", {"ident": "response1", "rcardinality": "Single"}
    )
    render = ET.SubElement(response, "render_fib", {"fibtype": "Decimal"})
    ET.SubElement(render, "response_label", {"ident": "answer1"})
    value = float(key)
    bound = tolerance_bound(answer_type, value)
    condition = ET.Element("conditionvar")
    either = ET.SubElement(condition, "or")
    ET.SubElement(either, "varequal", {"respident": "response1"}).text = number(key)
    within = ET.SubElement(either, "and")
    ET.SubElement(within, "vargte", {"respident": "response1"}).text = repr(value - bound)
    ET.SubElement(within, "varlte", {"respident": "response1"}).text = repr(value + bound)
    _full_marks(processing, condition)


def _choices(
    presentation: ET.Element,
    processing: ET.Element,
    options: list[str],
    keyed: set[str],
    single: bool,
) -> None:
    response = ET.SubElement(
        presentation,
        "response_lid",
        {"ident": "response1", "rcardinality": "Single" if single else "Multiple"},
    )
    render = ET.SubElement(response, "render_choice")
    labels = {}
    for n, option in enumerate(options, start=1):
        labels[option] = f"choice{n}"
        label = ET.SubElement(render, "response_label", {"ident": labels[option]})
        material = ET.SubElement(label, "material")
        ET.SubElement(material, "mattext", {"texttype": "text/html"}).text = to_inline_lms_html(
            option
        )
    condition = ET.Element("conditionvar")
    if single:
        (right,) = keyed
        ET.SubElement(condition, "varequal", {"respident": "response1"}).text = labels[right]
    else:
        every = ET.SubElement(condition, "and")
        for option in options:
            test = ET.Element("varequal", {"respident": "response1"})
            test.text = labels[option]
            if option in keyed:
                every.append(test)
            else:
                ET.SubElement(every, "not").append(test)
    _full_marks(processing, condition)


def _short_answer(
    presentation: ET.Element, processing: ET.Element, answer_type: Any, key: Any
) -> None:
    response = ET.SubElement(
        presentation, "response_str", {"ident": "response1", "rcardinality": "Single"}
    )
    render = ET.SubElement(response, "render_fib")
    ET.SubElement(render, "response_label", {"ident": "answer1", "rshuffle": "No"})
    condition = ET.Element("conditionvar")
    for spelling in key_spellings(answer_type, key):
        ET.SubElement(condition, "varequal", {"respident": "response1"}).text = spelling
    _full_marks(processing, condition)


_BLANK_NAME = re.compile(r"[^A-Za-z0-9_-]")  # Canvas keeps letters, digits, _ and - only


def _blanks(
    presentation: ET.Element,
    processing: ET.Element,
    text: str,
    parts: list[dict[str, Any]],
    types: list[Any],
) -> tuple[str, bool]:
    """One blank per part, per entry of a matrix; returns the question text with the
    ``[blank]`` markers Canvas replaces with boxes, and whether examgen weighs the blanks
    alike, as Canvas does. A blank's name is the part id with anything but letters,
    digits, _ and - made _: Canvas rewrites other names, and a marker that no longer
    matches its blank shows no box."""
    blanks: list[tuple[str, list[str]]] = []
    shares: list[Fraction] = []
    lines = []
    for part, answer_type in zip(parts, types, strict=True):
        base = _BLANK_NAME.sub("_", part["id"])
        if answer_type.kind == "matrix":
            rows = [part["key"]] if answer_type.rows is None else part["key"]
            markers = []
            entries = sum(len(row) for row in rows)
            for r, row in enumerate(rows, start=1):
                cells = []
                for c, value in enumerate(row, start=1):
                    where = f"{r}_{c}" if answer_type.rows is not None else f"{c}"
                    name = f"{base}_{where}"
                    blanks.append((name, number_spellings(answer_type, value)))
                    shares.append(Fraction(1, len(parts) * entries))
                    cells.append(f"[{name}]")
                markers.append(" ".join(cells))
            lines.append(f"- `{part['id']}`: {part['label']}: " + " / ".join(markers))
        else:
            name = base
            accepted = (
                number_spellings(answer_type, part["key"])
                if answer_type.kind in ("integer", "real")
                else key_spellings(answer_type, part["key"])
            )
            blanks.append((name, accepted))
            shares.append(Fraction(1, len(parts)))
            lines.append(f"- `{part['id']}`: {part['label']}: [{name}]")
    if len({name for name, _ in blanks}) != len(blanks):  # ids differing in . and _ only
        raise ValueError("two parts of a question have one Canvas blank name")  # examgen's bug
    share = f"{100 / len(blanks):.4f}"
    for n, (name, accepted) in enumerate(blanks, start=1):
        response = ET.SubElement(presentation, "response_lid", {"ident": f"response_{name}"})
        ET.SubElement(ET.SubElement(response, "material"), "mattext").text = name
        render = ET.SubElement(response, "render_choice")
        for m, spelling in enumerate(accepted, start=1):
            label = ET.SubElement(render, "response_label", {"ident": f"b{n}_{m}"})
            ET.SubElement(
                ET.SubElement(label, "material"), "mattext", {"texttype": "text/plain"}
            ).text = spelling
        for m, _spelling in enumerate(accepted, start=1):
            respcondition = ET.SubElement(processing, "respcondition")
            condition = ET.SubElement(respcondition, "conditionvar")
            ET.SubElement(
                condition, "varequal", {"respident": f"response_{name}"}
            ).text = f"b{n}_{m}"
            ET.SubElement(
                respcondition, "setvar", {"action": "Add", "varname": "SCORE"}
            ).text = share
    note = (
        "Type each number as a plain decimal, rounded to at least the key's precision: "
        "Canvas compares the text of a blank, not its value."
    )
    return text + "\n\n" + "\n".join(lines) + f"\n\n_{note}_", len(set(shares)) == 1


_MOST_SPELLINGS = 12


def number_spellings(answer_type: Any, value: Any) -> list[str]:
    """The texts of a number that a blank matched as text should accept: the key as examgen
    shows it, then its roundings to 0 to 8 decimals, with and without trailing zeros, that
    examgen's tolerance accepts (0.975004 within 1 %: 0.98, 0.975, 0.9750, ...), and a whole
    number with .0. Values in tolerance that are no such rounding still fail in Canvas."""
    number_value = float(value)
    bound = tolerance_bound(answer_type, number_value)
    spellings = [short_number(value)]
    for places in range(9):
        text = f"{number_value:.{places}f}"
        if abs(float(text) - number_value) <= bound:
            spellings += [text, text.rstrip("0").rstrip(".") if "." in text else text]
    if answer_type.kind == "integer" or number_value.is_integer():
        spellings.append(f"{int(number_value)}.0")
    spellings = [
        t for t in dict.fromkeys(spellings) if t not in ("-0", "-0.0") or number_value == 0
    ]
    return spellings[:_MOST_SPELLINGS]
