// The answer form of a student's sheet: a box per part, read as the student types by the
// grader's rules (answers.js, which this page carries, never a key), kept in this browser's
// localStorage per exam and student, saved as the submission.json that `grade` reads, and
// loaded back from one. Everything a file or a box holds is shown as text, never as markup.
"use strict";

const MAX_LOAD_BYTES = 1_000_000;  // read_submission's limit

function withExample(type, hint) {
  // a shape's message quotes the example of the part's own hint, which is none of its keys
  const example = /such as (\d+(?:x\d+)+)/.exec(hint);
  return type.kind === "shape" && example ? { ...type, example: example[1] } : type;
}

function formBind() {
  const form = document.getElementById("answer-form");
  const ids = { exam_id: form.dataset.exam, variant_id: form.dataset.variant, student_id: form.dataset.student };
  const storeKey = `examgen:${ids.exam_id}:${ids.student_id}`;
  const status = document.getElementById("form-status");
  const parts = [...document.querySelectorAll("[data-part-answer]")].map((element) => ({
    element,
    question: element.dataset.question,
    part: element.dataset.part,
    type: withExample(JSON.parse(element.dataset.type), element.dataset.hint ?? ""),
    message: document.getElementById(element.dataset.message),
    // its boxes, wherever they go: a table cell's box moves out of its part below
    boxes: [...element.querySelectorAll("input, textarea")],
  }));

  // The network table's blanks are cells of the question's own table: each part's box moves
  // into its cell, in order, when the counts agree (else it stays in the list of parts).
  for (const section of document.querySelectorAll("section.question")) {
    const blanks = [...section.querySelectorAll(".question-text .blank-box")];
    const boxes = [...section.querySelectorAll(".in-question")];
    if (blanks.length && blanks.length === boxes.length) {
      blanks.forEach((blank, n) => {
        blank.replaceWith(boxes[n].querySelector(".answer-cell"));
        boxes[n].hidden = true;
      });
    }
  }

  const text = (p) => {
    // a part's answer as submission.json holds it: the text typed, a grid as [a, b; c, d]
    const kind = p.element.dataset.form;
    if (kind === "truefalse") {
      const chosen = p.boxes.find((box) => box.checked);
      return chosen ? chosen.value : "";
    }
    if (kind === "letters") {
      return p.boxes.filter((box) => box.checked).map((box) => box.value).join("");
    }
    if (kind === "grid") {
      const rows = [...p.element.querySelectorAll("tr")].map((row) => [...row.querySelectorAll("input")].map((cell) => cell.value.trim()));
      if (rows.flat().every((cell) => !cell)) return "";
      return `[${rows.map((row) => row.join(", ")).join("; ")}]`;
    }
    return p.boxes[0].value;
  };

  const gridProblem = (p) => {
    // the first cell of a grid begun that is empty or holds more than one number: joined
    // into [a, b; c, d], either would be read as another matrix than the grid shows
    if (p.element.dataset.form !== "grid") return null;
    const rows = [...p.element.querySelectorAll("tr")];
    for (const [r, row] of rows.entries()) {
      for (const [c, cell] of [...row.querySelectorAll("input")].entries()) {
        const where = rows.length > 1 ? `entry (${r + 1}, ${c + 1})` : `entry ${c + 1}`;
        const value = cell.value.trim();
        if (!value) return `${where} is empty`;
        if (/[,;\[\]]|\S\s+\S/u.test(value)) return `${where}: write one number in each box, with '.' for decimals`;
      }
    }
    return null;
  };

  const verdict = (p) => {
    const raw = text(p);
    const read = readAnswer(p.type, raw);
    if (read.status === "blank") return read;
    const problem = gridProblem(p);
    return problem ? { status: "invalid", message: problem } : read;
  };

  const show = (p) => {
    const read = verdict(p);
    p.message.textContent = read.status === "invalid" ? `✗ cannot be read: ${read.message}` : read.status === "readable" ? "✓ can be read" : "";
    p.message.className = `form-message ${read.status}`;
    for (const box of p.boxes) {
      if (box.type === "text" || box.tagName === "TEXTAREA") box.setAttribute("aria-invalid", read.status === "invalid" ? "true" : "false");
    }
    return read;
  };

  const answers = () => {
    // objects without a prototype: a question or part id such as __proto__ is a plain key
    const out = Object.create(null);
    for (const p of parts) (out[p.question] ??= Object.create(null))[p.part] = text(p);
    return out;
  };

  const keep = () => {
    try {
      localStorage.setItem(storeKey, JSON.stringify({ cells: cells() }));
    } catch (error) {
      status.textContent = "This browser cannot keep your answers: save submission.json often.";
    }
  };

  const cells = () => {
    // every box's content as typed, by part, so a reload restores a half-filled grid too
    const out = {};
    for (const p of parts) {
      out[`${p.question}/${p.part}`] = p.boxes.map((box) =>
        box.type === "radio" || box.type === "checkbox" ? box.checked : box.value);
    }
    return out;
  };

  const fill = (p, values) => {
    const boxes = p.boxes;
    if (!Array.isArray(values) || values.length !== boxes.length) return;
    boxes.forEach((box, n) => {
      if (box.type === "radio" || box.type === "checkbox") box.checked = values[n] === true;
      else if (typeof values[n] === "string") box.value = values[n];
    });
    show(p);
  };

  const restore = () => {
    let kept = null;
    try {
      kept = JSON.parse(localStorage.getItem(storeKey) ?? "null");
    } catch (error) {
      kept = null;
    }
    if (kept && typeof kept.cells === "object" && kept.cells) {
      for (const p of parts) fill(p, kept.cells[`${p.question}/${p.part}`]);
    }
  };

  for (const p of parts) {
    for (const box of p.boxes) {
      box.addEventListener("input", () => { show(p); keep(); });
      box.addEventListener("change", () => { show(p); keep(); });
    }
    const clear = p.element.querySelector("button.clear");
    if (clear) {
      clear.addEventListener("click", () => {
        for (const radio of p.boxes) radio.checked = false;
        show(p);
        keep();
      });
    }
  }
  restore();

  // ---- saving --------------------------------------------------------------------------
  const pending = document.getElementById("form-pending");
  const save = () => {
    const submission = { ...ids, answers: answers(), saved_at: new Date().toISOString() };
    const blob = new Blob([JSON.stringify(submission, null, 2) + "\n"], { type: "application/octet-stream" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "submission.json";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    pending.hidden = true;
    status.textContent = `Saved submission.json at ${submission.saved_at.slice(11, 19)} UTC: hand that file in.`;
  };
  document.getElementById("form-save").addEventListener("click", () => {
    const blank = [], unreadable = [];
    for (const p of parts) {
      const read = verdict(p);
      if (read.status === "blank") blank.push(`${p.question}.${p.part}`);
      else if (read.status === "invalid") unreadable.push(`${p.question}.${p.part} (${read.message})`);
    }
    if (!blank.length && !unreadable.length) return save();
    const list = document.getElementById("form-pending-list");
    list.replaceChildren();
    for (const [head, items] of [["Blank (scores 0)", blank], ["Cannot be read (scores 0)", unreadable]]) {
      if (!items.length) continue;
      const item = document.createElement("li");
      item.textContent = `${head}: ${items.join(", ")}`;
      list.append(item);
    }
    pending.hidden = false;
    document.getElementById("form-save-anyway").focus();
  });
  document.getElementById("form-save-anyway").addEventListener("click", save);
  document.getElementById("form-keep-editing").addEventListener("click", () => { pending.hidden = true; });

  // ---- loading a saved submission.json back -------------------------------------------
  const shown = (value) => JSON.stringify(String(value).slice(0, 60));
  const refuse = (line) => { status.textContent = `Not loaded: ${line}`; };
  document.getElementById("form-load").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (!file) return;
    if (file.size > MAX_LOAD_BYTES) return refuse(`${file.name} is larger than 1 MB, so it is no submission.json`);
    let data;
    try {
      data = JSON.parse(await file.text());
    } catch (error) {
      return refuse(`${file.name} is not JSON`);
    }
    if (!data || typeof data !== "object" || Array.isArray(data) || !data.answers || typeof data.answers !== "object") {
      return refuse(`${file.name} is not a submission (no answers)`);
    }
    for (const field of ["exam_id", "student_id", "variant_id"]) {
      if (field in data && data[field] !== ids[field]) {
        return refuse(`${file.name} is ${field} ${shown(data[field])}, and this sheet is ${shown(ids[field])}`);
      }
    }
    if (data.exam_id === undefined || data.variant_id === undefined) return refuse(`${file.name} names no exam or variant`);
    const byId = new Map(parts.map((p) => [`${p.question}/${p.part}`, p]));
    for (const [question, given] of Object.entries(data.answers)) {
      if (!given || typeof given !== "object" || Array.isArray(given)) return refuse(`question ${shown(question)} holds no parts`);
      for (const part of Object.keys(given)) {
        if (!byId.has(`${question}/${part}`)) return refuse(`part ${shown(`${question}.${part}`)} is not on this sheet`);
      }
    }
    const skipped = [];
    for (const p of parts) {
      const given = Object.hasOwn(data.answers, p.question) ? data.answers[p.question] : {};
      const value = Object.hasOwn(given, p.part) ? given[p.part] : undefined;
      if (!place(p, value)) skipped.push(`${p.question}.${p.part}`);
      show(p);
    }
    keep();
    status.textContent = skipped.length
      ? `Loaded ${file.name}; these answers do not fit their boxes, type them again: ${skipped.join(", ")}`
      : `Loaded ${file.name}.`;
  });

  function place(p, value) {
    // put a saved answer back into its boxes; false when it cannot go there
    const kind = p.element.dataset.form;
    const boxes = p.boxes;
    const blank = value === null || value === undefined || value === "";
    if (kind === "truefalse" || kind === "letters") {
      // a hand-edited file may hold an object or a list of numbers where text belongs:
      // such a value cannot go here, and nothing is cleared for it
      const letters = Array.isArray(value) && value.every((item) => typeof item === "string");
      if (!blank && !["string", "number", "boolean"].includes(typeof value) && !letters) {
        return false;
      }
      let read = null;
      if (!blank) {
        read = readAnswer(p.type, typeof value === "number" ? String(value) : value);
        if (read.status !== "readable") return false;
      }
      for (const box of boxes) box.checked = false;
      if (blank) return true;
      for (const box of boxes) {
        box.checked = kind === "truefalse" ? String(read.value) === box.value : read.value.has(box.value);
      }
      return true;
    }
    if (kind === "grid") {
      for (const box of boxes) box.value = "";
      if (blank) return true;
      let rows;
      try {
        rows = Array.isArray(value) ? (Array.isArray(value[0]) ? value : [value]) : matrixEntries(String(value)).rows;
      } catch (error) {
        return false;
      }
      const grid = [...p.element.querySelectorAll("tr")].map((row) => [...row.querySelectorAll("input")]);
      const flat = rows.flat(), cellsFlat = grid.flat();
      if (flat.length !== cellsFlat.length) return false;
      cellsFlat.forEach((cell, n) => { cell.value = String(flat[n]); });
      return true;
    }
    boxes[0].value = blank ? "" : typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value);
    return true;
  }

  document.documentElement.dataset.form = "ready";
}

if (typeof document !== "undefined" && document.getElementById("answer-form")) formBind();
