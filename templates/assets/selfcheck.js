// A practice page that checks itself: each answer box is read and compared with the key by
// the rules examgen's grader uses (generator/answers.py), in the browser, with no server.
// The page carries its keys in <script id="examgen-keys" type="application/json">: practice
// pages only; exam sheets never do.
//
// Numbers are compared in floating point, where the grader is exact: the two can differ
// only for an answer within a rounding error of the tolerance's edge.
"use strict";

// ---- reading what a student typed -------------------------------------------------------

class Unreadable extends Error {}

const FUNCTIONS = {
  exp: Math.exp, log: Math.log, ln: Math.log, sqrt: Math.sqrt, tanh: Math.tanh,
  sin: Math.sin, cos: Math.cos, abs: Math.abs,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)), relu: (v) => Math.max(v, 0),
};
const TIMES = new Set(["*", "x", "X", "×", "·"]);

function tokens(text, symbols) {
  // Numbers, operators, parentheses, and (for expressions) declared symbols and functions.
  const out = [];
  const pattern = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|(\*\*|[-+*/^()xX×·÷−–,])|([A-Za-z_][A-Za-z0-9_]*))/y;
  let position = 0;
  text = text.trimEnd();
  while (position < text.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (!match) throw new Unreadable(`unexpected '${text.slice(position).trim()[0]}'`);
    position = pattern.lastIndex;
    if (match[1] !== undefined) out.push({ kind: "number", value: Number(match[1]) });
    else if (match[3] !== undefined) {
      const name = match[3];
      if (symbols && (symbols.includes(name) || name in FUNCTIONS)) out.push({ kind: "name", value: name });
      else if (!symbols && (name === "x" || name === "X")) out.push({ kind: "op", value: "*" });
      else throw new Unreadable(`unexpected '${name}'`);
    } else {
      const op = { "÷": "/", "−": "-", "–": "-", "^": "**" }[match[2]] ?? match[2];
      out.push({ kind: "op", value: TIMES.has(op) ? "*" : op });
    }
  }
  return out;
}

function parse(text, symbols = null) {
  // Recursive descent, as the grader's: sum := product (± product)*; product := unary
  // ((*|/|implicit) unary)*; unary := ± unary | power; power := atom (** unary)?
  if (text.length > 200) throw new Unreadable("longer than 200 characters");
  const list = tokens(text, symbols);
  let at = 0;
  const peek = () => list[at];
  const isOp = (value) => peek() && peek().kind === "op" && peek().value === value;
  function sum() {
    let node = product();
    while (isOp("+") || isOp("-")) {
      const op = list[at++].value;
      node = { op, a: node, b: product() };
    }
    return node;
  }
  function product() {
    let node = unary();
    for (;;) {
      if (isOp("*") || isOp("/")) {
        const op = list[at++].value;
        node = { op, a: node, b: unary() };
      } else if (symbols && peek() && (peek().kind === "name" || isOp("("))) {
        node = { op: "*", a: node, b: unary() }; // 2x, 2(x + 1)
      } else return node;
    }
  }
  function unary() {
    if (isOp("+") || isOp("-")) {
      const op = list[at++].value;
      const value = unary();
      return op === "-" ? { op: "neg", a: value } : value;
    }
    return power();
  }
  function power() {
    const base = atom();
    if (!isOp("**")) return base;
    at++;
    return { op: "**", a: base, b: unary() };
  }
  function atom() {
    const token = list[at++];
    if (!token) throw new Unreadable("the answer ends too early");
    if (token.kind === "number") return { op: "num", value: token.value };
    if (token.kind === "name") {
      if (token.value in FUNCTIONS) {
        if (!isOp("(")) throw new Unreadable(`${token.value} needs parentheses`);
        at++;
        const argument = sum();
        if (!isOp(")")) throw new Unreadable("a '(' is never closed");
        at++;
        return { op: "call", name: token.value, a: argument };
      }
      return { op: "sym", name: token.value };
    }
    if (token.value === "(") {
      const inner = sum();
      if (!isOp(")")) throw new Unreadable("a '(' is never closed");
      at++;
      return inner;
    }
    throw new Unreadable(`unexpected '${token.value}'`);
  }
  if (!list.length) throw new Unreadable("empty answer");
  const tree = sum();
  if (at !== list.length) throw new Unreadable(`unexpected '${list[at].value}'`);
  return tree;
}

function evaluate(node, values = {}) {
  switch (node.op) {
    case "num": return node.value;
    case "sym": return values[node.name];
    case "neg": return -evaluate(node.a, values);
    case "call": return FUNCTIONS[node.name](evaluate(node.a, values));
    case "+": return evaluate(node.a, values) + evaluate(node.b, values);
    case "-": return evaluate(node.a, values) - evaluate(node.b, values);
    case "*": return evaluate(node.a, values) * evaluate(node.b, values);
    case "/": return evaluate(node.a, values) / evaluate(node.b, values);
    case "**": return evaluate(node.a, values) ** evaluate(node.b, values);
  }
  throw new Unreadable("cannot evaluate");
}

function number(text) {
  // A number or arithmetic: 0.27, 1/3, 2.5e-3, −1, a decimal comma (1,5), 10x3x5x5 + 10.
  let value = String(text).trim();
  if (value.includes(",")) {
    const comma = /^([-+−]?\d+),(\d+)$/.exec(value);
    if (!comma) throw new Unreadable("write decimals with '.' and no thousands separators");
    if (comma[2].length === 3) throw new Unreadable(`'${value}' is ambiguous: write 1000 or 1.000`);
    value = `${comma[1]}.${comma[2]}`;
  }
  const result = evaluate(parse(value));
  if (!Number.isFinite(result)) throw new Unreadable("not a finite number");
  return result;
}

function dims(text) {
  let value = String(text).trim();
  for (const [left, right] of [["(", ")"], ["[", "]"]]) {
    if (value.startsWith(left) && value.endsWith(right)) value = value.slice(1, -1).trim();
  }
  const parts = value.split(/\s*(?:[xX×*,]|\s)\s*/);
  if (!value || !parts.every((p) => /^\d{1,9}$/.test(p))) {
    throw new Unreadable(`'${String(text).trim()}' is not a shape like 32x32x10`);
  }
  const result = parts.map(Number);
  if (result.includes(0)) throw new Unreadable("a dimension of 0 is not a shape");
  return result;
}

function matrixRows(text, type) {
  // [[1, 2], [3, 4]], [1, 2; 3, 4] or [1, 2, 3], read as the grader's Matrix.read does.
  const value = String(text).trim();
  if (!value.startsWith("[") || !value.endsWith("]")) {
    throw new Unreadable("write a list such as [1, 2] or rows such as [1, 2; 3, 4]");
  }
  const inner = value.slice(1, -1);
  let rows, nested = true;
  if (inner.includes(";")) {
    if (inner.includes("[") || inner.includes("]")) {
      throw new Unreadable("use either [[1, 2], [3, 4]] or [1, 2; 3, 4], not both");
    }
    rows = inner.split(";").map((row) => row.trim().split(/\s*,\s*|\s+/));
  } else if (inner.includes("[")) {
    if (inner.replace(/\[[^\[\]]*\]/g, "").replaceAll(",", "").trim()) {
      throw new Unreadable("write rows as [[1, 2], [3, 4]]");
    }
    rows = [...inner.matchAll(/\[([^\[\]]*)\]/g)].map((m) => (m[1].trim() ? m[1].trim().split(/\s*,\s*/) : []));
  } else {
    rows = [inner.trim() ? inner.trim().split(/\s*,\s*/) : []];
    nested = false;
  }
  if (rows.flat().length > 400) throw new Unreadable("more than 400 entries");
  const parsed = rows.map((row, r) => row.map((entry, c) => {
    try {
      return number(entry);
    } catch (error) {
      const where = nested ? `entry (${r + 1}, ${c + 1})` : `entry ${c + 1}`;
      throw new Unreadable(`${where}: ${error.message}`);
    }
  }));
  if (new Set(parsed.map((row) => row.length)).size > 1) throw new Unreadable("rows of different lengths");
  if (type.rows === null) {
    if (parsed.length === 1 || parsed.every((row) => row.length === 1)) return [parsed.flat()];
    throw new Unreadable(`expected a vector of ${type.cols}, got rows`);
  }
  if (parsed.length === 1 && type.rows !== 1 && type.cols === 1) return parsed[0].map((v) => [v]);
  return parsed;
}

// ---- comparing with the key, as the grader does ------------------------------------------

const close = (value, key, type) =>
  Math.abs(value - key) <= Math.max(type.atol ?? 1e-4, (type.rtol ?? 0.01) * Math.abs(key));

const CHECKERS = {
  integer(raw, key) {
    const value = number(raw);
    if (!Number.isInteger(value)) throw new Unreadable(`${raw.trim()} is not a whole number`);
    return value === Number(key) ? 1 : 0;
  },
  real(raw, key, type) {
    return close(number(raw), Number(key), type) ? 1 : 0;
  },
  shape(raw, key, type) {
    const value = dims(raw).join("x"), expected = dims(key);
    // an FC layer's N outputs, written as the volume 1x1xN, or Nx1x1 channels first (the
    // grader's fc_volume and layout)
    const volume = type.layout === "CxHxW" ? `${expected[0]}x1x1` : `1x1x${expected[0]}`;
    if (type.fc_volume && expected.length === 1 && value === volume) return 1;
    return value === expected.join("x") ? 1 : 0;
  },
  spatial_size(raw, key) {
    const square = (d) => (d.length === 1 ? [d[0], d[0]] : d);
    const value = square(dims(raw));
    if (value.length !== 2) throw new Unreadable("expected one number or HxW");
    return value.join("x") === square(dims(String(key))).join("x") ? 1 : 0;
  },
  matrix(raw, key, type) {
    const value = matrixRows(raw, type);
    const expected = type.rows === null ? [key] : key;
    const same = value.length === expected.length && value.every((r, i) => r.length === expected[i].length);
    if (!same) return 0;
    const flat = value.flat(), flatKey = expected.flat();
    return flat.filter((v, i) => close(v, flatKey[i], type)).length / flatKey.length;
  },
  truefalse(raw, key, type) {
    const word = raw.trim().toLowerCase().replace(/\.$/, "");
    const words = { true: true, t: true, false: false, f: false };
    if (!(word in words)) throw new Unreadable(`'${raw.trim()}' is not true or false`);
    return words[word] === key ? 1 : fraction(type.wrong ?? "-1/2");
  },
  multiselect(raw, key, type) {
    const letters = raw.replace(/[\s,;()\[\]]/g, "").toUpperCase();
    const valid = "ABCDEFGHIJ".slice(0, type.options);
    if (!letters || [...letters].some((l) => !valid.includes(l))) {
      throw new Unreadable(`choose letters from ${valid[0]} to ${valid.at(-1)}`);
    }
    const chosen = new Set(letters), keyed = new Set(key);
    const errors = [...chosen].filter((l) => !keyed.has(l)).length + [...keyed].filter((l) => !chosen.has(l)).length;
    return Math.max(fraction(type.floor ?? "0"), 1 - errors * fraction(type.per_error ?? "1/2"));
  },
  expression(raw, key, type) {
    // Equal at several points of the declared symbols, as the grader's numeric check.
    const student = parse(raw, type.symbols), expected = parse(key, type.symbols);
    let agreed = 0;
    for (let n = 0; n < 24 && agreed < 6; n++) {
      const point = Object.fromEntries(type.symbols.map((s, i) => [s, 0.3 + ((n * 7 + i * 3) % 11) / 7]));
      const a = evaluate(student, point), b = evaluate(expected, point);
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      if (Math.abs(a - b) > 1e-10 + 1e-8 * Math.abs(b)) return 0;
      agreed++;
    }
    return agreed >= 6 ? 1 : 0;
  },
};

function fraction(text) {
  const [a, b] = String(text).split("/");
  return Number(a) / (b === undefined ? 1 : Number(b));
}

function check(part, raw) {
  // {status, score, message}: the grader's statuses, and a known mistake when one matches.
  if (!raw.trim()) return { status: "blank", score: 0, message: "no answer yet" };
  const checker = CHECKERS[part.type.kind];
  let score;
  try {
    score = checker(raw, part.key, part.type);
  } catch (error) {
    if (error instanceof Unreadable) return { status: "invalid", score: 0, message: error.message };
    throw error;
  }
  if (score >= 1) return { status: "correct", score, message: "correct" };
  if (part.type.kind === "shape") {  // as the grader explains a volume of the wrong rank
    const got = dims(raw).length, wanted = dims(part.key).length;
    const volumeAllowed = part.type.fc_volume && wanted === 1;  // 1x1xN is right there
    const rank = wanted === 1 ? "1 dimension" : `${wanted} dimensions`;
    if (got !== wanted && !volumeAllowed) return { status: "wrong", score, message: `not right: expected ${rank}, got ${got}` };
  }
  const status = score > 0 ? "partial" : "wrong";
  const head = score > 0 ? `partly right (${Math.round(score * 100)} %)` : "not right";
  for (const mistake of part.mistakes ?? []) {
    let agrees = false;
    try { agrees = checker(raw, mistake.value, part.type) >= 1; } catch (error) { agrees = false; }
    if (agrees) return { status, score, message: `${head} (known mistake: ${mistake.diagnosis})` };
  }
  return { status, score, message: head };
}

// ---- the page -----------------------------------------------------------------------------

function bind() {
  // A question's worked solution gives away every part's answer, so it opens only once each
  // part has been tried, or when the student asks; a part shows its own answer after two
  // wrong tries.
  const keys = JSON.parse(document.getElementById("examgen-keys").textContent);
  const tried = {};
  const reveal = (question) => {
    const solution = document.getElementById(`solution-${question}`);
    solution.hidden = false;
    solution.open = true;
    const button = document.querySelector(`.reveal[data-question="${question}"]`);
    if (button) button.hidden = true;
  };
  for (const button of document.querySelectorAll(".reveal")) {
    button.addEventListener("click", () => reveal(button.dataset.question));
  }
  for (const box of document.querySelectorAll("[data-part]")) {
    const question = box.dataset.question;
    const part = keys[question][box.dataset.part];
    const input = box.querySelector("input");
    const verdict = box.querySelector(".verdict");
    let wrong = 0;
    const run = () => {
      const result = check(part, input.value);
      let text = result.status === "correct" ? "✓ correct" : `✗ ${result.message}`;
      if (result.status !== "correct" && result.status !== "blank" && ++wrong >= 2) {
        text += `; the answer: ${part.shown}`;
      }
      verdict.textContent = text;
      verdict.className = `verdict ${result.status}`;
      if (result.status !== "blank") {
        tried[question] = (tried[question] ?? new Set()).add(box.dataset.part);
        if (tried[question].size === Object.keys(keys[question]).length) reveal(question);
      }
    };
    box.querySelector("button").addEventListener("click", run);
    input.addEventListener("keydown", (event) => { if (event.key === "Enter") run(); });
  }
  document.documentElement.dataset.selfcheck = "ready";
}

if (typeof document !== "undefined") bind();
